#!/usr/bin/env bash
# The pinned-clock matrix: runs the test files that read time once per instant, with the machine's clock moved
# to that instant by faketime, DQ_TEST_START (the tests' pinned clock, test/helpers/pinned-clock.ts) set to the
# same instant, and TZ varied. A test that still reads the real date, or the machine's time zone, fails at one of
# these instants; a test pinned correctly passes at all of them.
#
#   scripts/pinned-clock-matrix.sh            # every instant
#   scripts/pinned-clock-matrix.sh 2026-03-08T06:59:50Z America/New_York   # one instant and time zone
#
# Without faketime (not installed and not root to install it) the matrix still runs with DQ_TEST_START and TZ,
# and says so: the pinned clocks move, the machine's clock does not.
set -euo pipefail
cd "$(dirname "$0")/.."

# Instant, time zone, and why it is here. Together: every weekday of one week (Monday to Sunday), the daily cron,
# New York's open and close, a UTC midnight, a local midnight that is not UTC's, a month end, and both daylight
# saving changes of March 2026 (US: 07:00Z on the 8th; EU: 01:00Z on the 29th). Each starts seconds before its edge,
# so the edge passes while the tests run.
MATRIX=(
  "2026-01-12T14:29:50Z UTC              Monday, seconds before New York's open"
  "2026-01-13T04:29:50Z Asia/Tokyo       Tuesday, seconds before the daily cron (04:30 UTC)"
  "2026-01-14T20:59:50Z America/New_York Wednesday, seconds before New York's close"
  "2026-01-15T23:59:50Z Europe/Berlin    Thursday, UTC midnight (already Friday in Berlin)"
  "2026-01-16T14:59:50Z Asia/Tokyo       Friday mid-session, Tokyo's midnight (Saturday there)"
  "2026-01-31T23:59:30Z America/New_York Saturday, month end and UTC midnight"
  "2026-03-08T06:59:50Z America/New_York Sunday, US daylight saving starts (07:00Z)"
  "2026-03-29T00:59:50Z Europe/Berlin    Sunday, EU daylight saving starts (01:00Z)"
)

# The files that read time, directly or through a clock they are given; not the whole suite (npm test runs it,
# and its reliability and benchmark files start the same pinned test stack as the pipeline files below, for minutes).
FILES=(
  test/helpers/pinned-clock.test.ts                # DQ_TEST_START, and faketime reaching vitest's worker processes
  test/calendar/nyse-calendar.test.ts              # sessions, half days, last complete session
  test/calendar/zoned-time.test.ts                 # wall-clock time in a zone, across a DST change
  test/quality/calendar.test.ts                    # the check engine's calendar
  test/quality/window.test.ts                      # the window ends at the last complete session at the as-of
  test/slack/notifications.test.ts                 # progress and summary views, a pause read against "now"
  test/local/aws/schedule-expression.test.ts       # cron, at() and rate() in a time zone
  test/local/aws/scheduler-shim.test.ts            # schedules firing on the shim's clock
  test/local/schedules.test.ts                     # the weekly deep check's cron, as the local stack creates it
  test/local/twelvedata/time-series.test.ts        # the emulator's partial bar of the session in progress
  test/pipeline/day-cap.test.ts                    # the local stack at the instant, paused and resumed over UTC days
  test/pipeline/coverage-rotation.test.ts          # daily runs at 04:30 UTC from the instant's day, a day apart
)
# From the session lifecycle only the test that checks every injected defect against the calendar at the instant
# (the rest of the file exercises delivery, not time, and would double the matrix's duration).
lifecycle=test/pipeline/session-lifecycle.test.ts
line=$(grep -n 'reports every injected defect' "$lifecycle" | head -1 | cut -d: -f1)
if [ -z "$line" ]; then
  echo "pinned-clock matrix: no defect test found in $lifecycle" >&2
  exit 2
fi
FILES+=("$lifecycle:$line")

if [ $# -eq 2 ]; then
  MATRIX=("$1 $2 given on the command line")
elif [ $# -ne 0 ]; then
  echo "usage: $0 [<ISO instant> <time zone>]" >&2
  exit 2
fi

use_faketime=1
if ! command -v faketime >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "pinned-clock matrix: installing faketime"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null
  fi
fi
if ! command -v faketime >/dev/null; then
  use_faketime=0
  echo "pinned-clock matrix: faketime is not installed and cannot be (not root): running with DQ_TEST_START and TZ only; the machine's clock is not moved"
fi

node=node_modules/.bin/node
[ -x "$node" ] || node=node

# faketime reads "@YYYY-MM-DD hh:mm:ss" as wall-clock time in the process's TZ: write the instant that way, then
# check that a Node process under it reads the intended instant (a gap or overlap of a DST change would not).
faketime_spec() {
  local instant=$1 tz=$2
  printf '@%s' "$(TZ=$tz date -d "$instant" '+%Y-%m-%d %H:%M:%S')"
}

check_faketime() {
  local spec=$1 tz=$2 expected_ms=$3 got
  got=$(TZ=$tz FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "$spec" "$node" -e 'process.stdout.write(String(Date.now()))')
  if [ $((got - expected_ms)) -lt 0 ] || [ $((got - expected_ms)) -gt 5000 ]; then
    echo "pinned-clock matrix: faketime $spec in $tz reads $got ms, expected $expected_ms" >&2
    return 1
  fi
  return 0
}

logs=$(mktemp -d "${TMPDIR:-/tmp}/dq-pinned-clock.XXXXXX")
failed=0
total_start=$(date +%s)
echo "pinned-clock matrix: ${#FILES[@]} files per instant, ${#MATRIX[@]} instants, logs in $logs"
for entry in "${MATRIX[@]}"; do
  read -r instant tz why <<<"$entry"
  expected_ms=$(($(date -d "$instant" +%s) * 1000))
  log="$logs/${instant//:/}-${tz//\//_}.log"
  mode="DQ_TEST_START+TZ"
  runner=()
  moved=0
  if [ "$use_faketime" = 1 ]; then
    spec=$(faketime_spec "$instant" "$tz")
    if check_faketime "$spec" "$tz" "$expected_ms"; then
      moved=1
      mode="faketime+DQ_TEST_START+TZ"
      # The monotonic clock stays real: timers, timeouts and elapsed-time checks measure real time. Without
      # FAKETIME_DONT_RESET every process (vitest's workers, a child a test spawns) would restart at the instant,
      # so a parent and its child would disagree by the child's start time.
      runner=(env FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_DONT_RESET=1 faketime -f "$spec")
    else
      mode="DQ_TEST_START+TZ (no faketime)"
      echo "pinned-clock matrix: faketime does not move Node's clock here: $instant runs with DQ_TEST_START and TZ only" >&2
    fi
  fi
  started=$(date +%s%N)
  status=pass
  # --no-isolate: one worker process imports the SDKs once for all the files (a quarter of the time on 2 cores);
  # these files share no state, each local-stack file starting and stopping its own stack. One worker (not
  # vitest.config's two): the local-stack files here run on real SQS delays, and a second file beside them under
  # faketime made the day-cap test's timing flaky.
  if ! TZ=$tz DQ_TEST_START=$instant DQ_MATRIX_FAKETIME=$moved "${runner[@]}" \
    npx vitest run --no-isolate --maxWorkers=1 --reporter=dot "${FILES[@]}" >"$log" 2>&1; then
    status=FAIL
    failed=$((failed + 1))
  fi
  seconds=$(awk -v ns=$(($(date +%s%N) - started)) 'BEGIN { printf "%.1f", ns / 1e9 }')
  tests=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '/^ *Tests /{ $1 = ""; sub(/^ +/, ""); print; exit }')
  printf '%-4s %s  %-16s %-26s %6ss  %-34s %s\n' "$status" "$instant" "$tz" "$mode" "$seconds" "${tests:-no test summary}" "$why"
  if [ "$status" = FAIL ]; then
    sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E 'FAIL|AssertionError|Error:|×' | head -20 | sed 's/^/     /'
  fi
done
echo "pinned-clock matrix: $((${#MATRIX[@]} - failed)) of ${#MATRIX[@]} instants passed in $(($(date +%s) - total_start)) s"
[ "$failed" = 0 ]
