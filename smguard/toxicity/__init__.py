"""Toxicity models: the detoxify weights smguard installs, and the ONNX engine that runs them.

Owns the model store (where models live, their manifests, checkpoint safety, downloads and
air-gapped imports: :mod:`.store`) and the ONNX Runtime engine with its export and verification
(:mod:`.onnx`). The ``toxicity`` plugin turns their scores into findings.

May import: :mod:`smguard.types`, :mod:`smguard.errors` and :mod:`smguard.config`. torch,
transformers and onnxruntime are imported only inside functions that need them.
"""
