# Sourced by scripts that open the desktop app's real window (e2e.sh, coldstart.sh).
#
# start_xvfb BASE LOG: when no display is set, starts a virtual X server on a random display
# in BASE..BASE+8 (so two scripts running at once do not collide), logs to LOG, and exports
# DISPLAY and the software-rendering settings WebKitGTK needs under Xvfb. Sets XVFB_PID
# (empty when an existing display is used) for the caller's clean-up trap.
start_xvfb() {
  export LIBGL_ALWAYS_SOFTWARE=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 NO_AT_BRIDGE=1
  XVFB_PID=
  [ -n "${DISPLAY:-}" ] && return 0
  local disp=":$(($1 + RANDOM % 9))"
  Xvfb "$disp" -screen 0 1400x1000x24 -nolisten tcp >"$2" 2>&1 &
  XVFB_PID=$!
  export DISPLAY=$disp
  # Xvfb accepts clients once its socket exists; a second is plenty on a loaded machine.
  sleep 1
}
