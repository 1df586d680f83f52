"""Toxicity models: the detoxify weights smguard installs, and the engines that run them.

The model store (one folder per model, described in :mod:`.paths`):

- :mod:`.paths`       where the store is; the names of its folders and files
- :mod:`.releases`    the models detoxify publishes, and where to download them
- :mod:`.manifest`    the installed models, as their manifests describe them (``models list``)
- :mod:`.checkpoint`  pickle-safe reading and inspection of detoxify checkpoints
- :mod:`.files`       hashing, copying, staging folders and atomic replacement
- :mod:`.extras`      which optional packages a command needs, checked without importing them
- :mod:`.install`     the install steps ``pull`` and ``import`` share
- :mod:`.pull`        downloads (``smguard models pull``)
- :mod:`.importing`   air-gapped installs of checkpoints and ONNX exports (``models import``)
- :mod:`.errors`      the store's exceptions

The engines, and the export from one to the other:

- :mod:`.loading`     a checkpoint loaded into ``detoxify.Detoxify``: the torch engine
- :mod:`.onnx`        the ONNX Runtime engine, without torch or transformers
- :mod:`.convert`     a torch model to a fused ONNX graph, its tokenizer and int8 weights
- :mod:`.cpu`         the CPU's instruction-set features (what int8 runs on)
- :mod:`.agreement`   how far ONNX scores are from torch's (``models verify``)
- :mod:`.export`      ``models export``: convert, check the agreement, install

The ``toxicity`` plugin turns their scores into findings.

May import only the kernel (:mod:`smguard.types`, :mod:`smguard.errors`,
:mod:`smguard._version`) and :mod:`smguard.config`. torch, transformers and onnxruntime are
imported only inside the functions that need them.
"""
