"""mypy follows exactly the aws-cdk-lib modules the code can reach (scripts/mypy_follow.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.mypy_follow import closure, configured_modules, followed_modules, project_imports


@pytest.mark.slow
def test_pyproject_has_mypy_follow_the_import_closure_of_the_code_trees() -> None:
    assert configured_modules() == followed_modules(), (
        "pyproject.toml's followed aws_cdk modules are not the import closure of the code: "
        "set them to what `.venv/bin/python -m scripts.mypy_follow` prints"
    )


def write(base: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(text)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A package `aws_cdk` as aws-cdk-lib lays it out: a root that imports every module for type
    checkers, modules that import others at the top, inside functions and for type checkers."""
    write(
        tmp_path / "site",
        {
            "aws_cdk/__init__.py": (
                "import typing\nif typing.TYPE_CHECKING:\n    import aws_cdk.cx_api as _cx\n"
                "    from . import aws_lambda, aws_glue, aws_iam\n"
            ),
            "aws_cdk/cx_api/__init__.py": "",
            "aws_cdk/aws_lambda/__init__.py": (
                '"""import aws_cdk.aws_glue as glue (an example in a docstring)"""\n'
                "from .._jsii import *\nfrom .. import Duration\n"
                "def f() -> None:\n    import aws_cdk.aws_iam as _iam\n"
            ),
            "aws_cdk/aws_iam/__init__.py": "from aws_cdk.interfaces import aws_iam\n",
            "aws_cdk/interfaces/__init__.py": "",
            "aws_cdk/interfaces/aws_iam.py": "from . import aws_kms\n",
            "aws_cdk/interfaces/aws_kms.py": "",
            "aws_cdk/aws_glue/__init__.py": "import aws_cdk.aws_s3\n",
            "aws_cdk/aws_s3/__init__.py": "",
            "aws_cdk/_jsii/__init__.py": "",
        },
    )
    return tmp_path / "site"


def test_the_closure_follows_every_import_but_the_roots_list_of_all_modules(site: Path) -> None:
    assert closure(["aws_cdk.aws_lambda"], [site]) == {
        "aws_cdk",
        "aws_cdk.cx_api",
        "aws_cdk._jsii",
        "aws_cdk.aws_lambda",
        "aws_cdk.aws_iam",
        "aws_cdk.interfaces",
        "aws_cdk.interfaces.aws_iam",
        "aws_cdk.interfaces.aws_kms",
    }


def test_the_code_uses_what_it_imports_and_what_it_reads_off_the_root(
    site: Path, tmp_path: Path
) -> None:
    write(
        tmp_path / "code",
        {
            "a.py": "from aws_cdk import aws_lambda as lambda_, Duration\n",
            "b.py": "import aws_cdk as cdk\nx = cdk.aws_glue.CfnJob\ny = cdk.Stack\n",
            "c.py": "from . import aws_iam\nimport aws_cdk.aws_s3\nz = aws_cdk.cx_api.X\n",
        },
    )
    found = project_imports(sorted((tmp_path / "code").glob("*.py")), [site])
    assert found == {
        "aws_cdk",
        "aws_cdk.aws_lambda",
        "aws_cdk.aws_glue",
        "aws_cdk.aws_s3",
        "aws_cdk.cx_api",
    }
