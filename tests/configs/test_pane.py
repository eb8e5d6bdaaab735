"""The Configs pane driven through the real app: diff tree, n/p, side by side, merged view, validation, errors."""

from __future__ import annotations

import json
from pathlib import Path

from support.app_factory import make_app
from textual.widgets import OptionList, Static

from mlops_tui.messages import OpenConfigRevision
from mlops_tui.secrets import MASK
from mlops_tui.widgets.configs import ConfigsPane
from mlops_tui.widgets.configs.difftree import DiffTree
from mlops_tui.widgets.configs.lines import LinesView

ROOT = Path(__file__).resolve().parents[2]
V1, V2 = "configs/ml/versions/train_v1.yaml", "configs/ml/versions/train_v2.yaml"


def app_for(*dotlist: str, cwd: Path = ROOT):
    return make_app(dotlist=["configs.paths=[configs/ml]", *dotlist], pane_options={"configs": {"cwd": cwd}})


def title(app) -> str:
    return str(app.query_one("#configs-title", Static).render())


def tree_labels(app) -> list[str]:
    tree = app.query_one(DiffTree)
    out: list[str] = []

    def walk(node):
        out.append(str(node.label))
        if node.is_expanded:
            for child in node.children:
                walk(child)

    walk(tree.root)
    return out


def note(app) -> str:
    return str(app.query_one("#configs-note", Static).render())


async def test_diff_from_settings_with_tree_and_walk(wait_pane) -> None:
    app = app_for("configs.list_key=name", f"configs.compare=[{V1},{V2}]")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        assert title(app).endswith("12 changes: 2 added, 9 changed, 1 type changed · lists by key (name)")
        labels = tree_labels(app)
        assert '~ name: "resnet50" → "vit_b16"' in labels
        assert '~ weight_decay: 0.01 → "0.05"  (float → str)' in labels
        assert "[name=early_stopping]  1 change" in labels
        assert "… 1 unchanged" in labels
        await pilot.press("n")
        assert title(app) == "change 1/12: model.name (changed)"
        assert str(app.query_one(DiffTree).cursor_node.label) == '~ name: "resnet50" → "vit_b16"'
        await pilot.press("p", "p")
        assert title(app) == "change 11/12: callbacks[name=model_checkpoint].save_top_k (changed)"
        assert str(app.query_one(DiffTree).cursor_node.label) == "~ save_top_k: 1 → 3"


async def test_unchanged_subtree_folds_and_unfolds(wait_pane) -> None:
    app = app_for(f"configs.compare=[{V1},{V2}]")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        tree = app.query_one(DiffTree)
        folded = next(node for node in tree.root.children if str(node.label) == "… 2 unchanged")
        assert not folded.is_expanded and "experiment: \"churn-classifier\"" not in tree_labels(app)
        folded.expand()
        await pilot.pause()
        assert {str(c.label) for c in folded.children} == {'experiment: "churn-classifier"', "seed: 1234"}


async def test_side_by_side_walks_both_sides_together(wait_pane) -> None:
    app = app_for(f"configs.compare=[{V1},{V2}]")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        await pilot.press("s", "n", "n")
        left, right = app.query_one("#configs-side-old", LinesView), app.query_one("#configs-side-new", LinesView)
        assert title(app) == "change 2/18: model.dropout (changed)"  # lists by position
        assert left.cursor == right.cursor
        assert left.rows[left.cursor].text == "model.dropout: 0.2"
        assert right.rows[right.cursor].text == "model.dropout: 0.1"
        added = right.rows.index_of(("model", "patch_size"))
        assert left.rows[added].text == "" and right.rows[added].text == "model.patch_size: 16"
        assert right.rows[added].mark


async def test_open_config_revision_message_diffs_a_real_repo(ml_repo: Path, wait_pane) -> None:
    app = make_app(dotlist=["configs.paths=[configs]"], pane_options={"configs": {"cwd": ml_repo}})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        app.query_one(ConfigsPane).post_message(OpenConfigRevision("configs/train.yaml", "v1", "HEAD"))
        await wait_pane(pilot)
        assert title(app).startswith("v1:configs/train.yaml → HEAD:configs/train.yaml: ")
        assert "~ max_epochs: 20 → 30" in tree_labels(app)
        app.query_one(ConfigsPane).post_message(OpenConfigRevision("configs/train.yaml", "v9", "HEAD"))
        await wait_pane(pilot)
        assert title(app) == f"v9:configs/train.yaml: unknown revision 'v9' in {ml_repo}"
        assert "configs: failing" in note(app)
        assert "~ max_epochs: 20 → 30" in tree_labels(app)  # the last good diff stays


async def test_merged_stack_with_provenance_validation_and_reveal(monkeypatch, wait_pane) -> None:
    monkeypatch.setenv("SCORER_DB_PASSWORD", "env-password-1")
    app = app_for("configs.schema_file=configs/ml/schema/serving.schema.json", "configs.overrides=[service.replicas=0]")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        files = app.query_one("#configs-files", OptionList)
        files.focus()
        pane = app.query_one(ConfigsPane)
        for name in ("env/base.yaml", "env/prod.yaml"):
            files.highlighted = pane.option_of(f"configs/ml/{name}")
            await pilot.press("space")
        await pilot.press("m")
        await wait_pane(pilot)
        view = app.query_one("#configs-merged", LinesView)
        rows = {view.rows[i].path: view.rows[i].text for i in range(len(view.rows))}
        assert rows[("service", "stage")] == 'service.stage = "production"  # configs/ml/env/prod.yaml'
        assert rows[("service", "replicas")] == "service.replicas = 0  # override service.replicas=0  ✗ 0 is less than the minimum of 1"
        assert rows[("service", "model_uri")] == 'service.model_uri = "models:/churn-classifier/production"  ← "models:/churn-classifier/${service.stage}"  # configs/ml/env/base.yaml'
        assert rows[("database", "password")] == f'database.password = "{MASK}"  (env not resolved: press e)  # configs/ml/env/base.yaml'
        assert "1 validation error (configs/ml/schema/serving.schema.json)" in title(app)
        problems = app.query_one("#configs-problems", OptionList)
        assert str(problems.get_option_at_index(0).prompt) == "✗ service.replicas: 0 is less than the minimum of 1"
        await pilot.press("e")
        await wait_pane(pilot)
        index = view.rows.index_of(("database", "password"))
        assert view.rows[index].text.startswith(f'database.password = "{MASK}"  ←')
        view.focus()
        view.move_to(index)
        await pilot.press("x")
        assert view.rows[index].text.startswith('database.password = "env-password-1"')
        await pilot.press("x")
        assert "env-password-1" not in view.rows[index].text
        await pilot.press("r")
        assert view.rows[index].text == f'database.password = "{MASK}"  # configs/ml/env/base.yaml'


async def test_missing_value_is_flagged_and_n_walks_problems(wait_pane) -> None:
    app = app_for()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        app.query_one(ConfigsPane).open_merge(["configs/ml/env/base.yaml"])
        await wait_pane(pilot)
        await pilot.press("n")
        view = app.query_one("#configs-merged", LinesView)
        assert view.rows[view.cursor].text.startswith("service.model_uri = ✗ ")
        assert view.rows[view.cursor].text.endswith(" needs service.stage, which is missing (???): give it a value "
                                                    "(service.stage=VALUE)  # configs/ml/env/base.yaml")
        await pilot.press("n")
        assert view.rows[view.cursor].text == "service.stage = ??? (missing value)  # configs/ml/env/base.yaml"
        assert title(app).startswith("problem 2/2: service.stage")
        assert "missing (???): service.stage from configs/ml/env/base.yaml: give it a value" in note(app)


async def test_missing_value_is_not_validated_and_the_pane_says_so(wait_pane) -> None:
    """A schema never judges the ??? placeholder ('???' is not one of [...]); the title and the note say it is missing."""
    app = app_for("configs.schema_file=configs/ml/schema/serving.schema.json")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        app.query_one(ConfigsPane).open_merge(["configs/ml/env/base.yaml"])
        await wait_pane(pilot)
        assert "· the rest valid (configs/ml/schema/serving.schema.json) · 1 missing value (???) not validated · 2 unresolved" in title(app)
        assert "missing (???): service.stage from configs/ml/env/base.yaml: give it a value, not validated until then" in note(app)
        problems = app.query_one("#configs-problems", OptionList)
        prompts = [str(problems.get_option_at_index(i).prompt) for i in range(problems.option_count)]
        assert "? service.stage: missing value (???) from configs/ml/env/base.yaml: give it a value (not validated)" in prompts
        assert not any("is not one of" in p for p in prompts)


async def test_bad_files_show_a_clear_message_and_keep_the_last_view(tmp_path: Path, wait_pane) -> None:
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "good.yaml").write_text("a: 1\nb: ${a}\n")
    (tmp_path / "cfg" / "bad.yaml").write_text("a: 1\nb: [1,\n")
    (tmp_path / "cfg" / "cycle.yaml").write_text("a: ${b}\nb: ${a}\n")
    app = make_app(dotlist=["configs.paths=[cfg]", "configs.model=nosuch.module:Cfg"], pane_options={"configs": {"cwd": tmp_path}})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        pane = app.query_one(ConfigsPane)
        assert pane.files == ["cfg/bad.yaml", "cfg/cycle.yaml", "cfg/good.yaml"]
        pane.open_merge(["cfg/good.yaml"])
        await wait_pane(pilot)
        assert "cannot import module 'nosuch.module'" in note(app)
        view = app.query_one("#configs-merged", LinesView)
        assert view.rows[1].text == 'b = 1  ← "${a}"  # cfg/good.yaml'
        pane.open_merge(["cfg/bad.yaml"])
        await wait_pane(pilot)
        assert title(app).startswith("cfg/bad.yaml:3:1: invalid YAML: ")  # libyaml and PyYAML word the problem differently
        assert title(app).endswith("(while parsing a flow node)") and "failing" in note(app)
        assert view.rows[1].text == 'b = 1  ← "${a}"  # cfg/good.yaml'
        pane.open_merge(["cfg/cycle.yaml"])
        await wait_pane(pilot)
        assert view.rows[0].text.startswith("a = ✗ interpolation cycle")
        pane.open_diff("cfg/missing.yaml", "cfg/good.yaml")
        await wait_pane(pilot)
        assert title(app) == "cfg/missing.yaml: no such file"
        await pilot.press("1")
        assert app.active_pane_id == "metrics"  # the other panes are unaffected


async def test_large_configs_stay_lazy(tmp_path: Path, wait_pane) -> None:
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from configs_diff import make_config, mutate

    old = make_config(50_000)
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(mutate(old, 0.01)))
    app = make_app(dotlist=["configs.paths=[.]", "configs.compare=[old.json,new.json]"], pane_options={"configs": {"cwd": tmp_path}})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        tree = app.query_one(DiffTree)
        assert title(app).startswith("old.json → new.json: 496 changes")
        assert len(tree.nodes) < 700  # only changed branches were built
        await pilot.press("s", "n")
        right = app.query_one("#configs-side-new", LinesView)
        assert len(right.rows) > 50_000
        assert right.rows.built < 400  # rows are built when drawn (and 200 to size the view), not 50,000
        change = title(app)
        assert change.startswith("change 1/496: ")
        assert right.rows[right.cursor].mark


async def test_compare_two_files_with_keys_and_reveal_in_tree(tmp_path: Path, wait_pane) -> None:
    (tmp_path / "a.yaml").write_text("db:\n  password: hunter2-old\n  host: a\nnote: plain\n")
    (tmp_path / "b.yaml").write_text("db:\n  password: hunter2-new\n  host: b\nnote: \"\\e[31mred [bold]x[/bold]\"\n")
    app = make_app(dotlist=["configs.paths=[.]"], pane_options={"configs": {"cwd": tmp_path}})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        app.query_one("#configs-files", OptionList).focus()
        await pilot.press("home", "c", "down", "c")
        await wait_pane(pilot)
        assert title(app) == "a.yaml → b.yaml: 3 changes: 3 changed · lists by position"
        labels = tree_labels(app)
        assert f"~ password: \"{MASK}\" → \"{MASK}\"" in labels
        assert '~ note: "plain" → "\\u001b[31mred [bold]x[/bold]"' in labels  # escape made visible, markup shown as text
        assert not any("hunter2" in label for label in labels)
        await pilot.press("n")
        app.query_one(DiffTree).focus()
        await pilot.press("x")
        assert str(app.query_one(DiffTree).cursor_node.label) == '~ password: "hunter2-old" → "hunter2-new"'
        await pilot.press("x")
        assert "hunter2" not in str(app.query_one(DiffTree).cursor_node.label)
        await pilot.press("s")
        right = app.query_one("#configs-side-new", LinesView)
        right.focus()
        right.move_to(right.rows.index_of(("db", "password")))
        assert right.rows[right.cursor].text == f'db.password: "{MASK}"'
        await pilot.press("x")
        assert right.rows[right.cursor].text == 'db.password: "hunter2-new"'
        left = app.query_one("#configs-side-old", LinesView)
        assert left.rows[left.cursor].text == 'db.password: "hunter2-old"'


async def test_directories_at_two_revisions_side_by_side_follows_the_file(ml_repo: Path, wait_pane) -> None:
    app = make_app(dotlist=["configs.paths=[configs]", "configs.compare=['v1:configs/env','HEAD:configs/env']"],
                   pane_options={"configs": {"cwd": ml_repo}})
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        assert title(app).startswith("v1:configs/env → HEAD:configs/env: ")
        labels = tree_labels(app)
        assert any(label.startswith("+ canary.yaml: ") for label in labels)
        assert "staging.yaml  7 changes" in labels and '~ stage: "staging" → "production"' in labels
        await pilot.press("s", "n", "n")
        right = app.query_one("#configs-side-new", LinesView)
        assert right.border_title.endswith("· staging.yaml")
        assert right.rows[right.cursor].mark


async def test_help_lists_the_pane_keys(wait_pane) -> None:
    app = app_for()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        rows = {row[3]: row[1] for row in app._help_rows()}
        assert rows["configs.next"] == "Next change" and rows["configs.reveal"] == "Reveal secret"
        assert {"configs.compare", "configs.stack", "configs.merged", "configs.side", "configs.env", "configs.list_mode"} <= set(rows)


async def test_reveal_secrets_setting_shows_values_everywhere(tmp_path: Path, wait_pane) -> None:
    (tmp_path / "a.yaml").write_text("db:\n  password: pw-old-1\n")
    (tmp_path / "b.yaml").write_text("db:\n  password: pw-new-2\n")
    app = make_app(dotlist=["configs.paths=[.]", "configs.reveal_secrets=true", "configs.compare=[a.yaml,b.yaml]"],
                   pane_options={"configs": {"cwd": tmp_path}})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        assert '~ password: "pw-old-1" → "pw-new-2"' in tree_labels(app)
        await pilot.press("s")
        assert app.query_one("#configs-side-new", LinesView).rows[0].text == 'db.password: "pw-new-2"'
        app.query_one(ConfigsPane).open_merge(["b.yaml"])
        await wait_pane(pilot)
        assert app.query_one("#configs-merged", LinesView).rows[0].text == 'db.password = "pw-new-2"  # b.yaml'


async def test_find_a_key_path_and_list_modes(wait_pane) -> None:
    app = app_for("configs.list_key=name", f"configs.compare=[{V1},{V2}]")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        await pilot.press("slash")
        await pilot.press(*"patience", "enter")
        assert title(app) == "change 10/12: callbacks[name=early_stopping].patience (changed)"
        await pilot.press("escape")
        assert not app.query_one("#configs-find").has_class("-open")
        await pilot.press("o")
        await wait_pane(pilot)
        assert title(app).endswith("· lists by position")
        await pilot.press("o")
        await wait_pane(pilot)
        assert " · lists by set" in title(app)
        await pilot.press("o")
        await wait_pane(pilot)
        assert title(app).endswith("12 changes: 2 added, 9 changed, 1 type changed · lists by key (name)")
        app.query_one(ConfigsPane).open_merge(["configs/ml/train.yaml"])
        await wait_pane(pilot)
        await pilot.press("slash", *"warmup", "enter")
        view = app.query_one("#configs-merged", LinesView)
        assert view.rows[view.cursor].text == "optimizer.scheduler.warmup_steps = 500  # configs/ml/optimizer/adamw.yaml"
        await pilot.press("escape", "slash")
        app.query_one("#configs-find").value = ""
        await pilot.press(*"no.such.key", "enter")
        assert title(app) == "no key path contains 'no.such.key'"


async def test_a_result_of_a_replaced_run_is_not_shown(wait_pane) -> None:
    """A diff whose thread ends after a newer merge started (its worker was cancelled, its thread ran on) must not
    replace the merged view; the result of the current run shows."""
    app = app_for()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        pane = app.query_one(ConfigsPane)
        stale = pane.model.begin()
        pane.open_merge(["configs/ml/env/base.yaml"])
        await wait_pane(pilot)
        comparison = pane.model.compare(V1, V2, pane.model.list_mode)
        pane.post_message(ConfigsPane.DiffReady(stale, comparison, None))
        await pilot.pause()
        assert title(app).startswith("merged configs/ml/env/base.yaml: ")
        pane.post_message(ConfigsPane.DiffReady(pane.model.generation, comparison, None))
        await pilot.pause()
        assert title(app).startswith(f"{V1} → {V2}: ")
