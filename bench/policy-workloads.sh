#!/bin/sh
# bench/policy-workloads.sh: write the workloads of "make bench-policy" as
# scenario files (DESIGN.md section 6, docs/scenario-pressure.md), the same
# bytes every time: its own random numbers (Park-Miller), not awk's.
#
#   sh bench/policy-workloads.sh DIR [HOURS]
#
# writes DIR/{small,mixed,bursty,diurnal,leak,starts}.json, each HOURS
# (default 24; small, the one the charts show, at most 6) of simulated time: guests whose working sets ("used-kib-at") change,
# a stream of VM starts (each a reservation of the VM's dynamic range, then
# the domain) and stops, and "run" steps between them (the daemon left to
# its periodic balancing).  bench/workloads/ holds the 24-hour ones.
set -eu
dir=$1
hours=${2:-24}
mkdir -p "$dir"

gen() {
	awk -v kind="$1" -v hours="$hours" -v seed="$2" '
	function rnd() {			# Park-Miller, exact in doubles
		seed = (seed * 16807) % 2147483647
		return seed / 2147483647
	}
	function uni(a, b) { return a + (b - a) * rnd() }
	function expo(mean) { return -mean * log(1 - rnd()) }
	function mib(x) { return int(x * 1024) * 1024 }	# x in GiB -> KiB, MiB-aligned
	# a series: pt(name, t, gib) appends a point if the use changes
	function pt(k, t, g,    v) {
		v = mib(g)
		if (npts[k] > 0 && last[k] == v)
			return
		if (npts[k] > 0 && t <= lastt[k])
			t = lastt[k] + 1
		pts[k] = pts[k] (npts[k] == 0 ? "" : npts[k] % 6 == 0 ? \
		    ",\n        " : ", ") "[" t ", " v "]"
		npts[k]++
		last[k] = v
		lastt[k] = t
	}
	function steady(k, g, jit,    t) {
		for (t = 0; t < H; t += 600)
			pt(k, t, g + uni(-jit, jit))
	}
	function diurnal(k, lo, hi, phase_h,    t, x) {
		for (t = 0; t < H; t += 600) {
			x = (1 - cos(2 * PI * (t / 3600 + phase_h) / 24)) / 2
			pt(k, t, lo + (hi - lo) * x + uni(-0.05, 0.05))
		}
	}
	# bursts: mostly under two minutes (88 %, Overdriver), some longer
	function bursty(k, base, peak, gap_s,    t, d) {
		pt(k, 0, base)
		t = expo(gap_s)
		while (t < H) {
			d = rnd() < 0.88 ? uni(10, 110) : uni(120, 900)
			pt(k, int(t), peak * uni(0.8, 1.0))
			pt(k, int(t + d), base + uni(-0.1, 0.1))
			t += d + expo(gap_s)
		}
	}
	# a slow leak, fixed by a restart when it nears its maximum
	function leak(k, base, rate_gib_h, top,    t, g) {
		g = base
		for (t = 0; t < H; t += 600) {
			pt(k, t, g)
			g += rate_gib_h / 6
			if (g > top)
				g = base
		}
	}
	function idle(k, g) { pt(k, 0, g) }
	function dom(id, lo, hi, tgt, k,    s) {
		s = sprintf("    { \"domid\": %d, \"dynamic-min-kib\": %d, " \
		    "\"dynamic-max-kib\": %d,", id, mib(lo), mib(hi))
		if (tgt >= 0)
			s = s sprintf(" \"target-kib\": %d,", mib(tgt))
		s = s sprintf("\n      \"balloon\": { \"rate-kib-s\": %d },", RATE)
		return s "\n      \"memory\": { \"used-kib-at\": [\n        " \
		    pts[k] " ] } }"
	}
	function guest(id, lo, hi, tgt) {
		ndoms++
		doms[ndoms] = dom(id, lo, hi, tgt, id)
		hosted += tgt
	}
	# a VM start at t, running for life seconds (to the end if longer)
	function vm(id, t, lo, hi) {
		nev++
		evt[nev] = int(t); evk[nev] = "start"; evid[nev] = id
		evs[nev] = "{ \"op\": \"start\", \"domain\":\n" dom(id, lo, hi, -1, id) " }"
	}
	function vmstop(id, t) {
		if (t >= H)
			return
		nev++
		evt[nev] = int(t); evk[nev] = "stop"; evid[nev] = id
		evs[nev] = "{ \"op\": \"stop\", \"domid\": " id " }"
	}
	# a stream of VM starts: every gap_s on average, each living life_s
	function stream(first_id, n, gap_s, life_lo, life_hi,    i, t, id, life, r) {
		t = expo(gap_s)
		for (i = 0; i < n && t < H; i++) {
			id = first_id + i
			r = rnd()
			if (r < 0.5)
				steady(id, uni(1.2, 2.5), 0.1)
			else if (r < 0.8)
				bursty(id, uni(1, 1.8), uni(3, 3.8), 900)
			else
				idle(id, 0.5)
			# a guest reports only once it runs: from its start on
			shift(id, int(t))
			vm(id, t, 1, 4)
			life = uni(life_lo, life_hi)
			vmstop(id, t + life)
			t += expo(gap_s)
		}
	}
	# move a series to start at t0 (its points are relative until now)
	function shift(k, t0,    n, i, a, out, p) {
		n = split(pts[k], a, /\[/)
		out = ""
		for (i = 2; i <= n; i++) {
			p = a[i]
			sub(/\].*/, "", p)
			split(p, q, ", ")
			if (q[1] + t0 >= H)
				break
			out = out (i == 2 ? "" : i % 6 == 2 ? \
			    ",\n        " : ", ") "[" (q[1] + t0) ", " q[2] "]"
		}
		pts[k] = out
	}
	BEGIN {
		PI = atan2(0, -1)
		H = hours * 3600
		RATE = 524288		# balloons at 512 MiB/s
		hosted = 0
		if (kind == "small")		# the charts: a few guests
			H = (hours < 6 ? hours : 6) * 3600
		if (kind == "small") {
			free = 3
			steady(1, 2.5, 0.05);		guest(1, 1, 6, 3)
			diurnal(2, 1.5, 4.5, 6);	guest(2, 1, 6, 3)
			bursty(3, 1.2, 4.5, 1200);	guest(3, 1, 6, 3)
			leak(4, 1.2, 0.8, 4.5);		guest(4, 1, 6, 3)
			idle(5, 0.4);			guest(5, 1, 6, 3)
			bursty(20, 1.5, 3.5, 900)
			shift(20, 3600)
			vm(20, 3600, 1, 4)
			vmstop(20, 4.5 * 3600)
			steady(21, 2, 0.1)
			shift(21, 2 * 3600)
			vm(21, 2 * 3600, 1, 4)
		} else if (kind == "mixed") {
			free = 9
			steady(1, 3, 0.05);		guest(1, 1, 8, 4)
			diurnal(2, 2, 6, 0);		guest(2, 1, 10, 4)
			diurnal(3, 1.5, 5, 8);		guest(3, 1, 10, 4)
			bursty(4, 1.5, 6, 900);		guest(4, 1, 8, 4)
			bursty(5, 2, 4.5, 1800);	guest(5, 1, 8, 4)
			leak(6, 1.5, 0.3, 8.5);		guest(6, 1, 10, 4)
			idle(7, 0.4);			guest(7, 1, 8, 4)
			idle(8, 0.6);			guest(8, 1, 8, 4)
			stream(20, 200, 1800, 3600, 4 * 3600)
		} else if (kind == "bursty") {
			free = 6
			for (i = 1; i <= 10; i++) {
				bursty(i, uni(1.2, 2.5), uni(4, 6.5), uni(600, 2400))
				guest(i, 1, 8, 3)
			}
			idle(11, 0.5);			guest(11, 1, 8, 3)
			idle(12, 0.5);			guest(12, 1, 8, 3)
			stream(20, 200, 3600, 1800, 3 * 3600)
		} else if (kind == "diurnal") {
			free = 4
			for (i = 1; i <= 8; i++) {
				diurnal(i, uni(1, 2), uni(4, 7), 3 * i)
				guest(i, 1, 10, 4)
			}
			for (i = 9; i <= 12; i++) {
				idle(i, 0.3 + 0.1 * i / 4); guest(i, 1, 6, 3)
			}
			stream(20, 200, 2400, 3600, 6 * 3600)
		} else if (kind == "leak") {
			free = 4
			leak(1, 1.5, 0.5, 11);		guest(1, 1, 12, 4)
			leak(2, 2, 0.2, 7);		guest(2, 1, 8, 4)
			for (i = 3; i <= 6; i++) {
				steady(i, uni(2, 3.5), 0.1); guest(i, 1, 8, 4)
			}
			for (i = 7; i <= 10; i++) {
				idle(i, 0.5);		guest(i, 1, 8, 3)
			}
			stream(20, 200, 3600, 3600, 5 * 3600)
		} else {			# starts: a boot storm, then a stream
			free = 4
			for (i = 1; i <= 6; i++) {
				steady(i, uni(2, 4), 0.1); guest(i, 1, 8, 5)
			}
			for (i = 7; i <= 10; i++) {
				idle(i, 0.5);		guest(i, 1, 8, 4)
			}
			for (i = 0; i < 8; i++) {	# the storm, at 1 h
				steady(40 + i, uni(1.5, 2.5), 0.1)
				shift(40 + i, 3600 + 30 * i)
				vm(40 + i, 3600 + 30 * i, 1, 4)
				vmstop(40 + i, 3600 + 30 * i + uni(2, 8) * 3600)
			}
			stream(60, 300, 900, 1800, 3 * 3600)
		}
		printf "{\n  \"config\": { \"policy\": \"proportional\" },\n"
		printf "  \"host\": { \"free-kib\": %d },\n", mib(free)
		printf "  \"domains\": [\n"
		for (i = 1; i <= ndoms; i++)
			printf "%s%s\n", doms[i], i < ndoms ? "," : ""
		printf "  ],\n  \"steps\": [\n"
		# events in time order (insertion sort: a few hundred)
		for (i = 2; i <= nev; i++)
			for (j = i; j > 1 && evt[j - 1] > evt[j]; j--) {
				x = evt[j]; evt[j] = evt[j - 1]; evt[j - 1] = x
				x = evs[j]; evs[j] = evs[j - 1]; evs[j - 1] = x
			}
		now = 0
		for (i = 1; i <= nev; i++) {
			if (evt[i] > now) {
				printf "    { \"op\": \"run\", \"s\": %d },\n", evt[i] - now
				now = evt[i]
			}
			printf "    %s,\n", evs[i]
		}
		printf "    { \"op\": \"run\", \"s\": %d }\n  ]\n}\n", H - now
	}'
}

gen small 66 >"$dir/small.json"
gen mixed 11 >"$dir/mixed.json"
gen bursty 22 >"$dir/bursty.json"
gen diurnal 33 >"$dir/diurnal.json"
gen leak 44 >"$dir/leak.json"
gen starts 55 >"$dir/starts.json"
