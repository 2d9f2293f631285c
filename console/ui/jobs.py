"""Running a cancellation job in the page, with a progress bar and running counts."""

from __future__ import annotations

import streamlit as st

from console.services import cancellations
from console.services.access import Actor


def run_job(actor: Actor, job_id: str) -> cancellations.JobProgress:
    st.session_state["cancellation_job"] = job_id
    bar = st.progress(0.0, text="Cancelling…")
    counts = st.empty()

    def show(progress: cancellations.JobProgress) -> None:
        bar.progress(
            progress.done / max(progress.total, 1), text=f"{progress.done} of {progress.total}"
        )
        counts.markdown(
            f"Refunded **{progress.refunded}** · skipped, already refunded "
            f"**{progress.skipped}** · cancelled without payment **{progress.cancelled}** · "
            f"failed **{progress.failed}**"
        )

    result = cancellations.run_cancellation(actor, job_id, on_progress=show)
    show(result)
    if result.failed:
        st.error(
            f"{result.failed} refund(s) failed; the reasons are in the summary. Resume "
            "the cancellation to try them again."
        )
    else:
        st.success("The cancellation is complete.")
    return result
