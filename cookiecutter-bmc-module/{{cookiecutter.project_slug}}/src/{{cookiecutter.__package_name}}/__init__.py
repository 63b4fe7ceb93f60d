"""The ``{{ cookiecutter.module_name }}`` module of BMC Hub.

Distribution ``{{ cookiecutter.project_slug }}``.

The hub loads the ``module`` submodule through the ``bmc_hub.modules`` entry point;
nothing here runs at import beyond definitions.
"""
