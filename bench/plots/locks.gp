# Root-lock wait fraction under anonvma stress.
set terminal svg size 700,440 font "sans,12"
set termoption noenhanced
set output dir.'/locks.svg'
set title 'root anon_vma lock: wait time / thread time'
set xlabel 'threads per process'
set ylabel 'wait fraction'
set xrange [0.5:2.5]
set xtics 1
set yrange [0:*]
set grid
set key top left
plot dir.'/locks.dat' using ($1-0.05):2:3:4 with yerrorlines lw 2 title 'linux-6.18', \
     '' using ($1+0.05):5:6:7 with yerrorlines lw 2 title '2.6.35'
