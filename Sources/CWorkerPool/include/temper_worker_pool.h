/* A small pool of worker threads for TemperTensor's parallel loops (Sources/TemperTensor/
 * Core/Parallel.swift). Dispatch's concurrentPerform wakes its workers through the kernel on
 * every call, tens of microseconds each time; a training step or a decoded token runs a few
 * hundred parallel regions, so those wake-ups were a visible share of both. Here the workers
 * spin for a short while after each job (pause instructions, bounded by a deadline) and only
 * then sleep on a futex, so back-to-back regions start in well under a microsecond. */
#ifndef TEMPER_WORKER_POOL_H
#define TEMPER_WORKER_POOL_H

/* One iteration of a job: fn(context, index). */
typedef void (*temper_pool_body)(void *context, long index);

/* Runs body(context, i) for every i in [0, iterations) on the caller and the pool's workers
 * (threads - 1 of them, started on first use; `threads` is read on that first call only) and
 * returns 0 once every iteration has finished. Returns -1 without running anything when the
 * pool cannot take the job: it is running another caller's job, the caller is itself inside
 * a job (nested loop), or threads < 2; the caller then runs the loop some other way. */
int temper_pool_run(long iterations, temper_pool_body body, void *context, int threads);

/* Microseconds a worker spins after a job before it sleeps (default 200; set before first use). */
void temper_pool_set_spin_microseconds(long microseconds);

#endif
