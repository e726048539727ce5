# Rmap walk precision against fan-out or depth, every design: one panel
# per workload, one line per design (the .dat block's header names them).
set terminal svg size 1100,760 font "sans,12"
set termoption noenhanced
set output dir.'/precision.svg'
set multiplot layout 2,2 title 'rmap walk precision: PTEs found per VMA visited'
set logscale x 2
set yrange [0:1.05]
set grid
set key bottom left font ",10"
set ylabel 'precision'
names = 'fanout-shared fanout-copied fanout-sliced chain'
do for [i=0:3] {
	set title word(names, i+1)
	set xlabel (i == 3 ? 'chain depth D' : 'fan-out F')
	plot for [c=2:*] dir.'/precision.dat' index i using 1:c with linespoints lw 2 \
	     title columnhead(c)
}
unset multiplot
