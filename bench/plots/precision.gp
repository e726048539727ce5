# Rmap walk precision against fan-out or depth, both policies.
set terminal svg size 900,520 font "sans,12"
set termoption noenhanced
set output dir.'/precision.svg'
set title 'rmap walk precision: PTEs found per VMA visited'
set logscale x 2
set xlabel 'fan-out F or chain depth D'
set ylabel 'precision'
set yrange [0:1.05]
set key outside right
set grid
names = 'fanout-shared fanout-copied fanout-sliced chain'
plot for [i=0:3] dir.'/precision.dat' index i using 1:2 with linespoints lw 2 \
       title word(names, i+1).' (6.18)', \
     for [i=0:3] dir.'/precision.dat' index i using 1:3 with linespoints dt 2 \
       title word(names, i+1).' (2.6.35)'
