# Metadata per VMA under every design.  metadata.dat holds a block per
# design for handoff, then one per design for churn (each block's header
# names its design), then a table of bytes per VMA by design and workload.
set terminal svg size 1150,500 font "sans,12"
set termoption noenhanced
set output dir.'/metadata.svg'
stats dir.'/metadata.dat' using 1 nooutput
n = (STATS_blocks - 1) / 2
set multiplot layout 1,2
set grid
set title 'handoff: each process forks its successor and exits'
set xlabel 'generations'
set ylabel 'bytes per VMA (each design''s kernel sizes)'
set logscale y
set key top left font ",10"
plot for [i=0:n-1] dir.'/metadata.dat' index i using 1:4 with lines lw 2 title columnhead(4)
set title 'bytes per live VMA, by workload'
set xlabel ''
set ylabel 'bytes per VMA'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -30 font ",10"
set key top right font ",10"
plot for [c=2:6] dir.'/metadata.dat' index 2*n using c:xtic(1) title columnhead(c)
unset multiplot
