"""What the extension computes once and keeps: compiled templates, strings, plans.

A copy from a cache renders the very files a copy without one does; an entry is
found by the template's name wherever the clone is, used only for the same source,
and a cache that cannot be written leaves the render as it was. A template string
(a path's part) is compiled once per environment, and still goes through the
extensions' hooks; a plan is computed once per engine and answers.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import jinja2
import pytest
from copier._jinja_ext import YieldExtension, get_yield_context
from ucforge_support import BASE_ANSWERS, ROOT, render


@pytest.fixture(scope="module")
def extension() -> ModuleType:
    name = "compiled_templates_test_extension"
    spec = importlib.util.spec_from_file_location(name, ROOT / "extensions/ucforge.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def environment(
    extension: ModuleType, folder: Path, **settings: bool
) -> jinja2.Environment:
    """An environment as copier makes one: our extension, templates from `folder`."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        extensions=[extension.UcforgeExtension],
        keep_trailing_newline=True,
        **settings,
    )


def clone(folder: Path, source: str) -> Path:
    """A new folder holding one template, as each copy clones the template anew."""
    folder.mkdir(parents=True)
    (folder / "greeting.txt.jinja").write_text(source, encoding="utf-8")
    return folder


def cached_code(env: jinja2.Environment, folder: Path) -> object:
    """The compiled code the cache holds for the template, None when there is none."""
    cache = env.bytecode_cache
    assert cache is not None
    source = (folder / "greeting.txt.jinja").read_text(encoding="utf-8")
    name = "greeting.txt.jinja"
    return cache.get_bucket(env, name, str(folder / name), source).code


def test_another_clone_of_the_same_template_finds_its_compiled_code(
    extension: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = clone(tmp_path / "clone-1", "Hello {{ name }}!\n")
    env = environment(extension, first)
    assert env.get_template("greeting.txt.jinja").render(name="team") == "Hello team!\n"
    (entry,) = (tmp_path / "cache" / "ucforge").glob("templates-*/*")
    assert entry.stat().st_size > 0

    second = clone(tmp_path / "clone-2", "Hello {{ name }}!\n")
    later = environment(extension, second)
    assert cached_code(later, second) is not None
    rendered = later.get_template("greeting.txt.jinja").render(name="<b>'$x'</b>")
    assert rendered == "Hello <b>'$x'</b>!\n"


def test_a_changed_source_is_compiled_again(
    extension: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = clone(tmp_path / "clone-1", "Hello {{ name }}!\n")
    environment(extension, first).get_template("greeting.txt.jinja").render(name="a")
    changed = clone(tmp_path / "clone-2", "Goodbye {{ name }}.\n")
    env = environment(extension, changed)
    assert cached_code(env, changed) is None
    assert env.get_template("greeting.txt.jinja").render(name="a") == "Goodbye a.\n"


def test_other_settings_keep_their_own_folder(
    extension: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = "{% if name %}\nHello {{ name }}\n{% endif %}\n"
    plain = clone(tmp_path / "clone-1", source)
    assert environment(extension, plain).get_template("greeting.txt.jinja").render(
        name="a"
    ) == ("\nHello a\n\n")
    trimmed = clone(tmp_path / "clone-2", source)
    env = environment(extension, trimmed, trim_blocks=True)
    assert cached_code(env, trimmed) is None
    assert env.get_template("greeting.txt.jinja").render(name="a") == "Hello a\n"
    assert len(list((tmp_path / "cache" / "ucforge").glob("templates-*"))) == 2


@pytest.fixture
def unwritable_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache home that is a file: no folder can be made in it."""
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    return blocked


def test_a_cache_that_cannot_be_written_leaves_the_render_alone(
    extension: ModuleType, tmp_path: Path, unwritable_cache: Path
) -> None:
    folder = clone(tmp_path / "clone", "Hello {{ name }}!\n")
    env = environment(extension, folder)
    assert env.get_template("greeting.txt.jinja").render(name="team") == "Hello team!\n"
    assert unwritable_cache.read_text(encoding="utf-8") == ""


def files_of(project: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


def test_a_copy_from_the_cache_writes_the_files_a_copy_without_one_does(
    template_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    unwritable_cache: Path,
) -> None:
    without = render(template_dir, tmp_path / "without", BASE_ANSWERS)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    render(template_dir, tmp_path / "filling", BASE_ANSWERS)
    entries = list((tmp_path / "cache" / "ucforge").glob("templates-*/*"))
    templates = list((template_dir / "template").rglob("*.jinja"))
    assert len(entries) >= len(templates) // 2, "the copy kept few compiled templates"
    from_cache = render(template_dir, tmp_path / "from-cache", BASE_ANSWERS)
    assert files_of(from_cache) == files_of(without)


def test_the_cache_folder_is_its_users_alone_and_never_a_link(
    extension: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    env = environment(extension, clone(tmp_path / "clone", "Hello\n"))
    folder = extension.cache_folder(env)
    assert folder is not None
    folder.chmod(0o755)  # as a folder made some other way would be
    assert extension.cache_folder(env) == folder
    assert folder.stat().st_mode & 0o777 == 0o700
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o755)
    folder.rmdir()
    folder.symlink_to(elsewhere)
    assert extension.cache_folder(env) is None
    assert elsewhere.stat().st_mode & 0o777 == 0o755


def counting_compiles(env: jinja2.Environment) -> list[str]:
    """The sources `env` really compiles from now on, in order."""
    compiled: list[str] = []
    strings = env.compile
    original = strings._compile  # type: ignore[attr-defined]

    def compile_and_count(source: object, *args: object) -> object:
        compiled.append(str(source))
        return original(source, *args)

    strings._compile = compile_and_count  # type: ignore[attr-defined]
    return compiled


def test_a_template_string_is_compiled_once_and_renders_every_context(
    extension: ModuleType, tmp_path: Path
) -> None:
    env = environment(extension, clone(tmp_path / "clone", "Hello\n"))
    compiled = counting_compiles(env)
    part = "{{ package_name }}_pipeline"
    assert env.from_string(part).render(package_name="churn") == "churn_pipeline"
    assert env.from_string(part).render(package_name='x"$y') == 'x"$y_pipeline'
    assert env.from_string("{{ a }}-{{ b }}").render(a=1, b=2) == "1-2"
    assert compiled == [part, "{{ a }}-{{ b }}"]
    with pytest.raises(jinja2.TemplateSyntaxError):
        env.from_string("{{ broken")
    with pytest.raises(jinja2.TemplateSyntaxError):
        env.from_string("{{ broken")
    assert compiled[2:] == ["{{ broken", "{{ broken"]


def test_copiers_yield_tag_works_from_the_kept_code(
    extension: ModuleType, tmp_path: Path
) -> None:
    """The yield tag (a folder per item) is reset on compile and set on render."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(clone(tmp_path / "clone", "Hello\n")),
        extensions=[YieldExtension, extension.UcforgeExtension],
    )
    compiled = counting_compiles(env)
    looped = "{% yield item from items %}{{ item }}{% endyield %}"
    for _ in range(2):
        env.from_string(looped).render(items=["a", "b"])
        assert get_yield_context(env).yield_name == "item"
        assert get_yield_context(env).yield_iterable == ["a", "b"]
        env.from_string("plain").render()
        assert get_yield_context(env).yield_name is None
    assert compiled == [looped, "plain"]


def engine_tree(root: Path) -> Path:
    """A template tree holding only a copy of ucforge's planning engine."""
    package = "planning/src/ucforge_planning"
    shutil.copytree(
        ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__")
    )
    return root


def test_a_plan_is_computed_once_per_engine_and_answers(
    extension: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = engine_tree(tmp_path / "old"), engine_tree(tmp_path / "new")
    assert extension.engine_digest(old) == extension.engine_digest(new)
    computed: list[tuple[Path, dict[str, object]]] = []

    class Engine:
        def __init__(self, root: Path) -> None:
            self.root = root

        def generate_from_answers(self, answers: dict[str, object]) -> dict[str, str]:
            computed.append((self.root, answers))
            return {"plan_markdown": f"{self.root.name} {answers}"}

    monkeypatch.setattr(extension, "_load_planning", Engine)
    monkeypatch.setattr(extension.LazyPlan, "_computed", {})
    answers = {"use_case_id": "UC-007", "sample": True}
    first = extension.LazyPlan(old, answers).document("plan_markdown")
    assert extension.LazyPlan(new, answers).document("plan_markdown") == first
    assert computed == [(old, answers)]
    # True == 1 in Python; the two answers must not share a plan.
    extension.LazyPlan(new, {**answers, "sample": 1}).document("plan_markdown")
    assert len(computed) == 2

    changed = engine_tree(tmp_path / "changed")
    module = changed / "planning/src/ucforge_planning/generate.py"
    module.write_text(module.read_text("utf-8") + "\n# changed\n", "utf-8")
    assert extension.engine_digest(changed) != extension.engine_digest(old)
    extension.LazyPlan(changed, answers).document("plan_markdown")
    assert computed[-1] == (changed, answers)
