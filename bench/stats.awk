# SPDX-License-Identifier: GPL-3.0-or-later
# stats.awk: one results row from raw values, one number a line ("NA" and
# blank lines skipped).  -v e=EXPERIMENT -v n=NODES -v m=METRIC.
# Prints: EXPERIMENT NODES METRIC MIN MEDIAN P90 MAX TRIALS EXTRA
# (tab-separated; p90 is the nearest rank, ceil(0.9 n); EXTRA is -v extra,
# more JSON members or empty); no values: NA for every figure.
{
	if ($1 == "" || $1 == "NA")
		next
	v[++cnt] = $1 + 0
}

END {
	if (cnt == 0) {
		printf "%s\t%s\t%s\tNA\tNA\tNA\tNA\t0\t%s\n", e, n, m, extra
		exit
	}
	# insertion sort: a few dozen values at most
	for (i = 2; i <= cnt; i++) {
		x = v[i]
		for (j = i - 1; j >= 1 && v[j] > x; j--)
			v[j + 1] = v[j]
		v[j + 1] = x
	}
	if (cnt % 2)
		med = v[(cnt + 1) / 2]
	else
		med = (v[cnt / 2] + v[cnt / 2 + 1]) / 2
	r = int(0.9 * cnt)
	if (r < 0.9 * cnt)
		r++
	printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", e, n, m, fmt(v[1]),
	    fmt(med), fmt(v[r]), fmt(v[cnt]), cnt, extra
}

function fmt(x) {
	if (x == int(x))
		return sprintf("%d", x)
	return sprintf("%.3f", x)
}
