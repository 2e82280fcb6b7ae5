"""The lab's live training: the session's run, its buttons, and the fragment that trains
a little and redraws, on a timer, while it runs (engine.lab_run holds the run itself)."""

from __future__ import annotations

import streamlit as st

from engine.lab_run import LabRun, advance, apply_knobs, can_continue, new_run
from ui.lab.live_charts import draw
from ui.lab.sidebar import SPEEDS, LabSettings

REFRESH_SECONDS = 0.25
RUN = "lab_run"


def current_run(settings: LabSettings) -> LabRun:
    """The session's run; a new one when the data, architecture or mode changed."""
    run = st.session_state.get(RUN)
    if run is None or run.key != settings.run_key:
        started = run is not None and any(run.histories.values())
        run = new_run(settings.run_key, settings.mode, settings.data, settings.arch,
                      settings.knobs, settings.members)
        st.session_state[RUN] = run
        if started:
            st.toast("The data or the network changed, so training starts afresh.")
    else:
        apply_knobs(run, settings.knobs)
        if run.status == "finished" and can_continue(run, settings.knobs.epochs):
            run.status = "paused"  # more epochs were asked for
    return run


def _set_status(status: str) -> None:
    st.session_state[RUN].status = status


def _reset() -> None:
    st.session_state[RUN] = None


def _speed_text(speed: float) -> str:
    return "full speed" if not speed else f"{speed:g} epoch{'s' if speed != 1 else ''}/s"


def buttons(run: LabRun, settings: LabSettings) -> None:
    start, reset, speed = st.columns([1, 1, 2], vertical_alignment="bottom")
    if run.status == "ready":
        start.button("▶ Start training", type="primary", on_click=_set_status,
                     args=("running",), use_container_width=True)
    elif run.status == "running":
        start.button("❚❚ Pause", on_click=_set_status, args=("paused",),
                     use_container_width=True)
    elif run.status == "paused":
        start.button("▶ Resume", type="primary", on_click=_set_status, args=("running",),
                     use_container_width=True)
    elif run.all_diverged:
        start.button("✗ Diverged", disabled=True, use_container_width=True)
    else:
        start.button("✓ Finished", disabled=True, use_container_width=True)
    reset.button("⟲ Reset", on_click=_reset, use_container_width=True,
                 help="Back to epoch 0 with fresh initial weights from the weight seed.")
    # its value is read (and written to the URL) with the sidebar's settings
    speed.select_slider("Training speed", SPEEDS, key="lab_speed", format_func=_speed_text,
                        help="Epochs a second: slow enough to watch each epoch change the "
                             "curves and the boundary. Full speed trains as fast as the "
                             "machine can, still showing the curves grow.")


def live_training(run: LabRun, settings: LabSettings) -> None:
    """Train a little, then redraw the charts: a fragment that reruns on a timer while
    the run is running (once otherwise)."""
    speed = settings.speed
    every = (max(REFRESH_SECONDS, 1 / speed) if speed else REFRESH_SECONDS) \
        if run.status == "running" else None

    @st.fragment(run_every=every)
    def view() -> None:
        current = st.session_state.get(RUN)
        if current is None:
            return
        if every is not None and current.status != "running":
            # A timer tick after the run finished: rerun the whole page, which draws the
            # results and defines this fragment again without a timer.
            st.rerun(scope="app")
        if current.status == "running":
            advance(current, settings.knobs.epochs, per_second=speed or None)
        draw(current, settings)

    view()
