"""The guide the default rubric encodes, statement by statement.

Each statement has a concrete use case that triggers it and one that does not, scored through
``assessor score --format json`` as a team would. The helpers start from a use case that is
ready as answered (tests/unit/conftest.py: SAFE) and change only what the statement is about.
"""

from __future__ import annotations

from typing import Any

import pytest
from engine_support import ids

# ---------------------------------------------------------------------------------------------
# Production-ready today (when the stated condition holds)


class TestTextGenerationAndSummarization:
    """Reliable for well-defined tasks with good prompts."""

    @pytest.mark.parametrize("task", ["text_generation", "summarization"])
    def test_well_defined_task_is_ready(self, assess: Any, task: str) -> None:
        result = assess(task, task_defined=True)
        assert result["verdict"] == "ready"
        assert result["conditions"] == result["blockers"] == []

    @pytest.mark.parametrize("task", ["text_generation", "summarization"])
    def test_task_not_yet_defined_is_a_condition(self, assess: Any, task: str) -> None:
        result = assess(task, task_defined=False)
        assert result["verdict"] == "conditional"
        assert ids(result["conditions"]) == {"task-not-defined"}


class TestClassificationAndExtraction:
    """Reliable when categories / extraction targets are well-defined and inputs are clean."""

    @pytest.mark.parametrize("task", ["classification", "extraction"])
    def test_defined_targets_and_clean_inputs_are_ready(self, assess: Any, task: str) -> None:
        result = assess(task, targets_defined=True, input_quality="clean")
        assert result["verdict"] == "ready"

    @pytest.mark.parametrize("task", ["classification", "extraction"])
    @pytest.mark.parametrize("quality", ["mixed", "messy"])
    def test_inputs_that_are_not_clean_are_a_condition(
        self, assess: Any, task: str, quality: str
    ) -> None:
        result = assess(task, input_quality=quality)
        assert result["verdict"] == "conditional"
        assert ids(result["conditions"]) == {"inputs-not-clean"}
        assert quality in result["conditions"][0]["reason"]

    @pytest.mark.parametrize("task", ["classification", "extraction"])
    def test_undefined_targets_are_a_condition(self, assess: Any, task: str) -> None:
        result = assess(task, targets_defined=False)
        assert ids(result["conditions"]) == {"targets-not-defined"}


class TestRag:
    """Reliable when retrieval is well-tuned and the documents are high-quality."""

    def test_tuned_retrieval_over_good_documents_is_ready(self, assess: Any) -> None:
        result = assess("rag", retrieval_tuned=True, document_quality="high")
        assert result["verdict"] == "ready"

    def test_untuned_retrieval_is_a_condition(self, assess: Any) -> None:
        result = assess("rag", retrieval_tuned=False)
        assert result["verdict"] == "conditional"
        assert ids(result["conditions"]) == {"retrieval-not-tuned"}

    @pytest.mark.parametrize("quality", ["mixed", "low"])
    def test_documents_that_are_not_high_quality_are_a_condition(
        self, assess: Any, quality: str
    ) -> None:
        result = assess("rag", document_quality=quality)
        assert ids(result["conditions"]) == {"documents-not-high-quality"}


class TestAgenticWorkflows:
    """Reliable when humans are in the loop for consequential decisions."""

    def test_human_checkpoint_on_consequential_actions_is_ready(self, assess: Any) -> None:
        result = assess("agentic_workflow", error_cost="high", autonomy="human_approves")
        assert result["verdict"] == "ready"

    def test_consequential_actions_between_checkpoints_are_a_condition(self, assess: Any) -> None:
        result = assess(
            "agentic_workflow",
            error_cost="high",
            autonomy="human_on_exceptions",
            error_rate=0.005,
            error_rate_source="measured",
        )
        assert result["verdict"] == "conditional"
        assert ids(result["conditions"]) == {"agent-without-checkpoints"}

    def test_agent_acting_alone_on_low_cost_steps_is_ready(self, assess: Any) -> None:
        result = assess("agentic_workflow", error_cost="low", autonomy="autonomous")
        assert result["verdict"] == "ready"


class TestCodeGeneration:
    """Reliable for completion and generation, NOT for unsupervised code deployment."""

    def test_reviewed_and_merged_code_is_ready(self, assess: Any) -> None:
        assert assess("code_generation", code_deployment="supervised")["verdict"] == "ready"

    def test_unsupervised_deployment_is_a_blocker(self, assess: Any) -> None:
        result = assess("code_generation", code_deployment="unsupervised")
        assert result["verdict"] == "not_ready"
        assert ids(result["blockers"]) == {"unsupervised-code-deployment"}


# ---------------------------------------------------------------------------------------------
# Not production-ready for most use cases (blockers)


class TestAutonomousConsequentialDecisions:
    """Fully autonomous agents making consequential decisions without human review."""

    @pytest.mark.parametrize("cost", ["high", "critical"])
    def test_autonomous_and_consequential_is_not_ready(self, assess: Any, cost: str) -> None:
        result = assess(
            error_cost=cost, autonomy="autonomous", error_rate=0.001, error_rate_source="measured"
        )
        assert result["verdict"] == "not_ready"
        assert ids(result["blockers"]) == {"autonomous-consequential"}
        assert cost in result["blockers"][0]["reason"]

    @pytest.mark.parametrize("cost", ["low", "medium"])
    def test_autonomous_but_not_consequential_is_no_blocker(self, assess: Any, cost: str) -> None:
        result = assess(error_cost=cost, autonomy="autonomous")
        assert "autonomous-consequential" not in ids(result["blockers"])

    def test_consequential_with_a_person_approving_is_no_blocker(self, assess: Any) -> None:
        result = assess(error_cost="critical", autonomy="human_approves")
        assert result["blockers"] == []


class TestRealtimeVoice:
    """Real-time voice synthesis in customer-facing contexts where errors are costly."""

    def test_live_customer_voice_with_costly_errors_is_not_ready(self, assess: Any) -> None:
        result = assess(
            "voice_synthesis",
            realtime=True,
            customer_facing=True,
            error_cost="high",
            autonomy="human_approves",
        )
        assert result["verdict"] == "not_ready"
        assert ids(result["blockers"]) == {"realtime-voice-costly"}

    @pytest.mark.parametrize(
        "change",
        [{"realtime": False}, {"customer_facing": False}, {"error_cost": "medium"}],
        ids=["not-realtime", "internal", "errors-not-costly"],
    )
    def test_any_missing_ingredient_clears_it(self, assess: Any, change: dict[str, Any]) -> None:
        answers = {
            "realtime": True,
            "customer_facing": True,
            "error_cost": "high",
            "autonomy": "human_approves",
            **change,
        }
        result = assess("voice_synthesis", **answers)
        assert "realtime-voice-costly" not in ids(result["blockers"])


class TestRegulatedWithoutExpert:
    """AI-generated output in regulated domains without human expert review."""

    def test_regulated_without_expert_review_is_not_ready(self, assess: Any) -> None:
        result = assess(regulation="regulated", expert_review=False)
        assert result["verdict"] == "not_ready"
        assert ids(result["blockers"]) == {"regulated-without-expert"}

    def test_expert_review_left_out_counts_as_none(self, assess: Any) -> None:
        result = assess(regulation="regulated")
        assert ids(result["blockers"]) == {"regulated-without-expert"}

    def test_regulated_with_expert_review_is_ready(self, assess: Any) -> None:
        result = assess(regulation="regulated", expert_review=True)
        assert result["verdict"] == "ready"


class TestHighCostErrorRate:
    """Cost of an error is high and errors happen at more than 1 in 100 outputs."""

    def test_high_cost_errors_above_one_in_a_hundred_are_not_ready(self, assess: Any) -> None:
        result = assess(
            error_cost="high",
            autonomy="human_on_exceptions",
            error_rate=0.02,
            error_rate_source="measured",
        )
        assert result["verdict"] == "not_ready"
        assert ids(result["blockers"]) == {"high-cost-error-rate"}
        assert "2%" in result["blockers"][0]["reason"]

    def test_exactly_one_in_a_hundred_is_not_more_than_it(self, assess: Any) -> None:
        result = assess(
            error_cost="high",
            autonomy="human_on_exceptions",
            error_rate=0.01,
            error_rate_source="measured",
        )
        assert result["verdict"] == "ready"

    def test_errors_caught_by_a_person_approving_every_output_do_not_count(
        self, assess: Any
    ) -> None:
        result = assess(error_cost="high", autonomy="human_approves", error_rate=0.2)
        assert result["verdict"] == "ready"

    def test_low_cost_errors_may_be_frequent(self, assess: Any) -> None:
        result = assess(error_cost="medium", autonomy="autonomous", error_rate=0.2)
        assert result["verdict"] == "ready"

    def test_unknown_rate_where_it_matters_is_a_condition(self, assess: Any) -> None:
        result = assess(error_cost="high", autonomy="human_on_exceptions", error_rate=None)
        assert result["verdict"] == "conditional"
        assert ids(result["conditions"]) == {"error-rate-unknown"}

    def test_estimated_rate_where_it_matters_is_a_condition(self, assess: Any) -> None:
        result = assess(error_cost="high", autonomy="human_on_exceptions", error_rate=0.005)
        assert ids(result["conditions"]) == {"error-rate-unmeasured"}

    def test_unknown_rate_does_not_matter_when_a_person_approves_each_output(
        self, assess: Any
    ) -> None:
        result = assess(error_cost="high", autonomy="human_approves", error_rate=None)
        assert result["verdict"] == "ready"


# ---------------------------------------------------------------------------------------------
# The evaluation requirement


class TestEvaluation:
    """Specific, measurable criteria, measured continuously in production."""

    def test_continuous_measurement_is_ready(self, assess: Any) -> None:
        assert assess(evaluation="continuous")["verdict"] == "ready"

    @pytest.mark.parametrize("level", ["none", "criteria_defined"])
    def test_no_measurement_is_a_condition(self, assess: Any, level: str) -> None:
        result = assess(evaluation=level)
        assert result["verdict"] == "conditional"
        assert ids(result["conditions"]) == {"no-evaluation"}
        assert "user complaints instead of monitoring" in result["conditions"][0]["reason"]

    def test_offline_only_is_a_condition(self, assess: Any) -> None:
        result = assess(evaluation="offline")
        assert ids(result["conditions"]) == {"no-continuous-monitoring"}

    def test_evaluation_pattern_is_always_recommended_with_the_monitoring_limit(
        self, assess: Any
    ) -> None:
        for cost, limit in (("low", 0.1), ("medium", 0.05), ("high", 0.01), ("critical", 0.01)):
            result = assess(error_cost=cost, autonomy="human_approves")
            evaluation = next(p for p in result["patterns"] if p["id"] == "evaluation")
            assert evaluation["params"]["max_error_rate"] == limit


# ---------------------------------------------------------------------------------------------
# Architecture patterns that work


class TestFallbackToHuman:
    """Below a confidence threshold, route to human review instead of delivering."""

    def test_recommended_where_errors_are_costly_with_a_threshold(self, assess: Any) -> None:
        result = assess(error_cost="high", autonomy="human_approves")
        fallback = next(p for p in result["patterns"] if p["id"] == "human_fallback")
        assert 0.5 <= fallback["params"]["confidence_threshold"] <= 0.99
        assert fallback["params"]["review_all"] is True  # a person approves every output

    def test_recommended_in_a_regulated_domain(self, assess: Any) -> None:
        result = assess(regulation="regulated", expert_review=True)
        assert "human_fallback" in ids(result["patterns"])

    def test_not_recommended_for_cheap_errors(self, assess: Any) -> None:
        assert "human_fallback" not in ids(assess(error_cost="low")["patterns"])


class TestAsyncPipeline:
    """Async pipelines for non-real-time tasks."""

    def test_recommended_when_the_answer_can_wait(self, assess: Any) -> None:
        assert "async_pipeline" in ids(assess(realtime=False)["patterns"])

    def test_not_recommended_inside_a_users_request(self, assess: Any) -> None:
        assert "async_pipeline" not in ids(assess(realtime=True)["patterns"])


class TestResponseCache:
    """Cache the response for repeated queries."""

    @pytest.mark.parametrize("repeats", ["some", "frequent"])
    def test_recommended_when_queries_repeat(self, assess: Any, repeats: str) -> None:
        result = assess(repeat_queries=repeats)
        cache = next(p for p in result["patterns"] if p["id"] == "response_cache")
        assert cache["params"]["ttl_seconds"] > 0

    def test_not_recommended_when_queries_rarely_repeat(self, assess: Any) -> None:
        assert "response_cache" not in ids(assess(repeat_queries="rare")["patterns"])

    def test_not_recommended_for_agents_whose_actions_change_the_world(self, assess: Any) -> None:
        result = assess("agentic_workflow", repeat_queries="frequent")
        assert "response_cache" not in ids(result["patterns"])


# ---------------------------------------------------------------------------------------------
# Every finding explains itself


GUIDE_STATEMENTS = [
    "Text generation and summarization are reliable for well-defined tasks with good prompts.",
    "Classification and extraction are reliable when categories / extraction targets are "
    "well-defined and the input data is clean.",
    "RAG is reliable when retrieval is well-tuned and the documents are high-quality.",
    "Agentic workflows with human checkpoints are reliable when humans are in the loop for "
    "consequential decisions.",
    "Code generation assistance is reliable for completion and generation, NOT for "
    "unsupervised code deployment.",
    "Fully autonomous agents making consequential decisions without human review are not "
    "production-ready for most use cases.",
    "Real-time voice synthesis in customer-facing contexts where errors are costly is not "
    "production-ready.",
    "AI-generated output in regulated domains without human expert review is not production-ready.",
    "Any task where the cost of an error is high and errors happen at a rate of more than 1 in "
    "100 outputs is not production-ready.",
    "What separates production from demo is evaluation: specific, measurable criteria, "
    "measured continuously in production.",
]


def test_every_finding_cites_a_guide_statement_and_says_why_and_how_to_fix(
    assess: Any,
) -> None:
    result = assess(
        "rag",
        error_cost="critical",
        autonomy="autonomous",
        regulation="regulated",
        error_rate=0.05,
        evaluation="none",
        retrieval_tuned=False,
        document_quality="low",
    )
    findings = result["blockers"] + result["conditions"]
    assert len(findings) >= 6
    for finding in findings:
        assert any(finding["guide"].startswith(s) for s in GUIDE_STATEMENTS), finding["guide"]
        assert finding["reason"] and finding["fix"] and finding["title"]
        assert "{" not in finding["reason"]  # every placeholder filled in
        assert finding["answers"], finding["id"]
