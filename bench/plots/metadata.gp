# Metadata per VMA: fork handoff chains and worker churn, both policies.
set terminal svg size 1000,460 font "sans,12"
set termoption noenhanced
set output dir.'/metadata.svg'
set multiplot layout 1,2
set grid
set title 'handoff: each process forks its successor and exits'
set xlabel 'generations'
set ylabel 'bytes per VMA (anon_vma 104, AVC 64)'
set key top left
plot dir.'/metadata.dat' index 0 using 1:4 with lines lw 2 title 'linux-6.18', \
     '' index 1 using 1:4 with lines lw 2 title '2.6.35'
set title 'churn: 4 workers and 4 helpers a round'
set key bottom right
set xlabel 'rounds'
set ylabel 'AVCs per VMA'
plot dir.'/metadata.dat' index 2 using 1:3 with lines lw 2 title 'linux-6.18, busy', \
     '' index 3 using 1:3 with lines lw 2 title '2.6.35, busy', \
     '' index 2 using 1:5 with lines dt 2 title 'linux-6.18, idle', \
     '' index 3 using 1:5 with lines dt 2 title '2.6.35, idle'
unset multiplot
