"""``smguard.alerting`` is the public API: an explicit ``__all__`` over private modules."""

from __future__ import annotations

import inspect

import smguard.alerting as alerting


def test_all_is_sorted_and_names_what_the_package_holds() -> None:
    assert alerting.__all__ == sorted(alerting.__all__, key=lambda n: (not n.isupper(), n))
    assert len(set(alerting.__all__)) == len(alerting.__all__)
    for name in alerting.__all__:
        assert hasattr(alerting, name), name


def test_every_public_name_is_in_all() -> None:
    public = {
        name
        for name, value in vars(alerting).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }
    assert public == set(alerting.__all__)


def test_the_modules_behind_it_are_private() -> None:
    modules = {name for name, value in vars(alerting).items() if inspect.ismodule(value)}
    assert modules and all(name.startswith("_") for name in modules), modules
    for name in alerting.__all__:
        defined_in = getattr(getattr(alerting, name), "__module__", None)
        if defined_in is not None and defined_in.startswith("smguard.alerting"):
            assert defined_in.split(".")[2].startswith("_"), (name, defined_in)


def test_what_plugins_and_receivers_need_is_public() -> None:
    expected = {
        "SINK_TYPES",  # the webhooks plugin registers them
        "enqueue_incident_alerts",  # the webhooks plugin queues alerts with it
        "deliver_due",
        "verify_signature",  # receivers of the generic JSON format
        "AlertSinkType",  # what a plugin's sink type looks like
        "DeliveryError",
    }
    assert expected <= set(alerting.__all__)
