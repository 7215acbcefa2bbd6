// A co-tenant for one vCPU: busy for BUSY ms, then idle for IDLE ms, forever, pinned to CPU. Run it beside a
// benchmark to see how a run degrades when another process takes a share of one core (as a decoder, or another VM on
// a shared host, does), e.g. 30 % of CPU 1 while `ssdd bench --threads 2` runs:
//     cc -O2 -o /tmp/cotenant tools/cotenant.c && /tmp/cotenant 1 3 7 & ssdd bench --threads 2; kill %1
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double milliseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s CPU BUSY_MS IDLE_MS\n", argv[0]);
        return 2;
    }
    int cpu = atoi(argv[1]);
    double busy = atof(argv[2]), idle = atof(argv[3]);
    if (cpu < 0 || busy <= 0 || idle < 0 || busy > 60000 || idle > 60000) {
        fprintf(stderr, "%s: CPU must be >= 0, BUSY_MS in (0, 60000], IDLE_MS in [0, 60000]\n", argv[0]);
        return 2;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        perror("sched_setaffinity");
        return 1;
    }
    volatile double sink = 0;
    for (;;) {
        double start = milliseconds();
        while (milliseconds() - start < busy) sink += 1;
        if (idle > 0) usleep((useconds_t)(idle * 1000));
    }
}
