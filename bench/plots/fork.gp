# fork+exit: the model against the kernel, by VMA count, a line per VMA size.
set terminal svg size 860,520 font "sans,12"
set termoption noenhanced
set output dir.'/fork.svg'
set title 'fork+exit: kernel (solid) and model linux-6.18 (dashed)'
set logscale xy
set xlabel 'VMAs (each of P written pages)'
set ylabel 'ns per fork+exit'
set key outside right
set grid
pages = '1 16 256 4096'
plot for [i=0:3] dir.'/fork.dat' index i using 1:4 with linespoints lw 2 lc i+1 pt 7 \
       title 'kernel, P='.word(pages, i+1), \
     for [i=0:3] dir.'/fork.dat' index i using 1:5 with linespoints dt 2 lc i+1 pt 5 \
       title 'model, P='.word(pages, i+1)
