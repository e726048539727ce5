# Anon_vma lock wait fraction under anonvma stress, a line per design.
# locks.dat: a block per design, its header "threads wait min max" and a
# comment naming the design.
set terminal svg size 760,460 font "sans,12"
set termoption noenhanced
set output dir.'/locks.svg'
set datafile columnheaders
set title 'anon_vma lock: wait time / thread time (2.6.34: its own locks)'
set xlabel 'threads per process'
set ylabel 'wait fraction'
set xrange [0.5:2.5]
set xtics 1
set yrange [0:*]
set grid
set key outside right
designs = system("sed -n 's/^# //p' ".dir."/locks.dat | tr '\\n' ' '")
plot for [i=0:words(designs)-1] dir.'/locks.dat' index i \
       using ($1 - 0.15 + 0.05*i):2:3:4 with yerrorlines lw 2 title word(designs, i+1)
