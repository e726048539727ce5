# fork+exit: the kernel against the model (linux-6.18) by VMA count, a line
# per VMA size; and the model under every design at 16 pages per VMA.
# fork.dat: a block per pages-per-VMA (1, 16, 256, 4096), each with a
# header naming its columns: vmas pages total kernel <designs...> ratio.
set terminal svg size 1150,500 font "sans,12"
set termoption noenhanced
set output dir.'/fork.svg'
set datafile columnheaders
set multiplot layout 1,2
set logscale xy
set xlabel 'VMAs (each of P written pages)'
set ylabel 'ns per fork+exit'
set grid
set key top left font ",10"
pages = '1 16 256 4096'
set title 'kernel (solid) and model linux-6.18 (dashed)'
plot for [i=0:3] dir.'/fork.dat' index i using 1:(column("kernel")) with linespoints lw 2 \
       lc i+1 pt 7 title 'kernel, P='.word(pages, i+1), \
     for [i=0:3] dir.'/fork.dat' index i using 1:(column("linux-6.18")) with linespoints \
       dt 2 lc i+1 pt 5 title 'model, P='.word(pages, i+1)
set title 'the model under every design, P=16'
stats dir.'/fork.dat' index 1 using 1 nooutput
plot for [c=5:STATS_columns-1] dir.'/fork.dat' index 1 using 1:c with linespoints lw 2 \
       title columnhead(c)
unset multiplot
