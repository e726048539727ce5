# Cost per operation as the world grows.
set terminal svg size 1000,460 font "sans,12"
set termoption noenhanced
set output dir.'/scale.svg'
set multiplot layout 1,2
set grid
set logscale xy
set ylabel 'ns'
set key top left
set title 'one VMA of N pages'
set xlabel 'pages'
plot dir.'/scale.dat' index 0 using 1:2 with linespoints title 'per fault', \
     '' index 0 using 1:3 with linespoints title 'per walk', \
     '' index 0 using 1:5 with linespoints title 'fork+exit, per page'
set title 'N VMAs of one page'
set xlabel 'VMAs'
plot dir.'/scale.dat' index 1 using 1:2 with linespoints title 'per fault', \
     '' index 1 using 1:3 with linespoints title 'per walk', \
     '' index 1 using 1:5 with linespoints title 'fork+exit, per VMA'
unset multiplot
