"""`musicbot eval` and `musicbot bench` run end to end and report the promised figures (values are not timed here)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bot.cli import app
from core.evaluation import is_held_out

runner = CliRunner()


def test_held_out_split_is_a_fixed_fifth() -> None:
    ids = [f"playlist{i}" for i in range(5000)]
    share = sum(map(is_held_out, ids)) / len(ids)
    assert 0.18 < share < 0.22
    assert [is_held_out(i) for i in ids[:50]] == [is_held_out(i) for i in ids[:50]]


def test_eval_reports_product_against_seed_method() -> None:
    result = runner.invoke(app, ["eval", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    seed, audio, no_style, product = figures["playlist_continuation"]
    assert seed["method"].startswith("seed") and product["method"] == "product"
    assert no_style["method"] == "product without the style term"
    assert product["cases"] >= 80
    assert product["precision_at_10"] > 5 * seed["precision_at_10"]
    assert product["max_per_artist"] <= 2
    # similar = style first: radios do not lock onto the seed's year, and genres agree even with genre labels hidden
    assert product["precision_at_10"] >= 0.20
    radio = product["extra"]
    assert radio["same_year_share"] <= 0.45 and radio["max_per_artist"] <= 2
    assert radio["hidden_genre_agreement"] > audio["extra"]["hidden_genre_agreement"] + 0.1
    assert radio["bare_genre_agreement"] >= audio["extra"]["bare_genre_agreement"]
    # the style term (core/style.py) keeps radios in the seed's genre where labels are hidden or absent
    assert radio["hidden_genre_agreement"] > no_style["extra"]["hidden_genre_agreement"]
    assert radio["bare_genre_agreement"] >= no_style["extra"]["bare_genre_agreement"] + 0.05
    base = figures["same_year_baselines"]
    assert base["random_pairs_same_year_share"] < base["real_playlists_same_year_share"] < 0.6
    text = figures["text_benchmark"]
    assert figures["text_requests"] >= 30
    assert text["shipped catalog"]["label_precision_at_10"] > text["popularity only (baseline)"]["label_precision_at_10"]
    assert text["labels stripped"]["label_precision_at_10"] > text["popularity only (baseline)"]["label_precision_at_10"]


def test_bench_json_has_the_required_keys() -> None:
    result = runner.invoke(app, ["bench", "--json", "--skip-1m", "--startup-rounds", "1"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output[result.output.index("{") :])
    for key in ("recommend_p50_ms", "recommend_cold_p50_ms", "recommend_ranking_p50_ms", "recommend_style0_p50_ms",
                "recommend_unpruned_ranking_p50_ms", "recommend_pruning_ratio", "seed_refit_p50_ms", "speedup", "seed_s", "rss_mb", "agent_turn_p50_ms",
                "worst_case_ms_per_message", "worst_case_cpu_ms_per_message", "worst_case_loop_block_ms",
                "chart_import_ms", "chart_first_draw_ms", "chart_track_p50_ms", "chart_set_p50_ms", "chart_track_kb"):
        assert isinstance(figures[key], (int, float)) and figures[key] > 0, key
    ratio = figures["seed_refit_p50_ms"] / figures["recommend_p50_ms"]
    assert abs(figures["speedup"] - ratio) <= 0.01 * ratio  # same-run ratio, not a constant
    assert figures["speedup"] > 1
    pruning = figures["recommend_unpruned_ranking_p50_ms"] / figures["recommend_ranking_p50_ms"]
    assert abs(figures["recommend_pruning_ratio"] - pruning) <= 0.01 * pruning  # same-run ratio
    assert figures["worst_case_message"] and figures["worst_case_cpu_message"]  # names of adversarial inputs
    for key in ("startup_bare_min_s", "startup_slash_min_s", "startup_free_min_s", "startup_slash_nocache_min_s",
                "startup_slash_cold_min_s", "startup_free_cold_min_s",
                "chat_first_turn_ms", "chat_first_turn_cold_ms", "telegram_ready_s", "discord_ready_s"):
        assert isinstance(figures[key], (int, float)) and figures[key] > 0, key
    for kind in ("slash", "free", "slash_cold", "free_cold"):  # ratios to the bare python of the same run
        ratio = figures[f"startup_{kind}_min_s"] / figures["startup_bare_min_s"]
        assert abs(figures[f"startup_{kind}_ratio"] - ratio) <= 0.01 * ratio
