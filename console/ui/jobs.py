"""Running a cancellation job in the page, with a progress bar and running counts."""

from __future__ import annotations

import streamlit as st

from console.formatting import i18n
from console.formatting.i18n import _, ngettext
from console.services import cancellations
from console.services.access import Actor


def counts_text(progress: cancellations.JobProgress) -> str:
    """What the job has done so far, each outcome counted."""
    return _(
        "Refunded **{refunded}** · skipped, already refunded **{skipped}** · cancelled "
        "without payment **{cancelled}** · failed **{failed}**",
        refunded=progress.refunded,
        skipped=progress.skipped,
        cancelled=progress.cancelled,
        failed=progress.failed,
    )


def run_job(actor: Actor, job_id: str) -> cancellations.JobProgress:
    st.session_state["cancellation_job"] = job_id
    bar = st.progress(0.0, text=_("Cancelling…"))
    counts = st.empty()
    # The job may report from threads of its own, where this page's language is not set.
    language = i18n.language()

    def show(progress: cancellations.JobProgress) -> None:
        with i18n.speaking(language):
            bar.progress(
                progress.done / max(progress.total, 1),
                text=_("{done} of {total}", done=progress.done, total=progress.total),
            )
            counts.markdown(counts_text(progress))

    result = cancellations.run_cancellation(actor, job_id, on_progress=show)
    show(result)
    if result.failed:
        st.error(
            ngettext(
                "{count} refund failed; the reason is in the summary. Resume the cancellation "
                "to try it again.",
                "{count} refunds failed; the reasons are in the summary. Resume the "
                "cancellation to try them again.",
                result.failed,
            )
        )
    else:
        st.success(_("The cancellation is complete."))
    return result
