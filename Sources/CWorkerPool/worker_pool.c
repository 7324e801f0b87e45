/* See include/temper_worker_pool.h. One global pool; one job at a time.
 *
 * Protocol (all atomics sequentially consistent unless noted):
 * - A caller owns the pool through `busy`, publishes its job (on its own stack) in
 *   `current_job`, bumps `job_seq` and `wake_word`, and futex-wakes when a worker sleeps.
 * - A worker that sees a new `job_seq` pins the job by incrementing `active` before it loads
 *   `current_job`; the caller clears `current_job` and then waits for `active` to reach 0
 *   before its job (and stack frame) goes away, so a pinned job is always alive.
 * - Iterations are claimed from `next`; `remaining` counts the unfinished ones. Its release
 *   decrements and the caller's acquire load make every iteration's writes visible to it.
 * - A worker sleeps only after announcing itself in `sleepers` and re-checking `job_seq`;
 *   the caller bumps `wake_word` before it reads `sleepers`, so no wake-up is lost. */
#define _GNU_SOURCE
#include "temper_worker_pool.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    temper_pool_body body;
    void *context;
    long iterations;
    _Atomic long next;
    _Atomic long remaining;
} pool_job;

static _Atomic(pool_job *) current_job;
static _Atomic unsigned long job_seq;
static _Atomic int active;
static _Atomic int sleepers;
static _Atomic uint32_t wake_word;
static _Atomic int busy;
static _Atomic int state; /* 0 not started, 1 running, -1 could not start any worker */
static long spin_ns = 200000;
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int inside_job;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static long monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void futex_wait(_Atomic uint32_t *word, uint32_t expected) {
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake_all(_Atomic uint32_t *word) {
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
}

/* Waits for a condition the other side makes true soon: spin, then yield the core. */
#define WAIT_UNTIL(condition)                                     \
    do {                                                          \
        long spins_ = 0;                                          \
        while (!(condition)) {                                    \
            cpu_relax();                                          \
            if (++spins_ > 256) sched_yield();                   \
        }                                                         \
    } while (0)

static void run_iterations(pool_job *job) {
    inside_job = 1;
    for (;;) {
        long i = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed);
        if (i >= job->iterations) break;
        job->body(job->context, i);
        atomic_fetch_sub_explicit(&job->remaining, 1, memory_order_release);
    }
    inside_job = 0;
}

/* Returns the new job_seq once one differs from `seen`, spinning spin_ns, then sleeping. */
static unsigned long wait_for_job(unsigned long seen) {
    long deadline = monotonic_ns() + spin_ns;
    unsigned spins = 0;
    unsigned long seq;
    while ((seq = atomic_load_explicit(&job_seq, memory_order_acquire)) == seen) {
        cpu_relax();
        /* Yield now and then: on a loaded machine a spinning worker may share a core with
         * the caller it waits for (on an idle core sched_yield returns at once). */
        if ((++spins & 31) != 0) continue;
        sched_yield();
        if (monotonic_ns() < deadline) continue;
        uint32_t word = atomic_load(&wake_word);
        atomic_fetch_add(&sleepers, 1);
        if (atomic_load(&job_seq) == seen) futex_wait(&wake_word, word);
        atomic_fetch_sub(&sleepers, 1);
        deadline = monotonic_ns() + spin_ns;
    }
    return seq;
}

static void *worker_main(void *unused) {
    (void)unused;
    unsigned long seen = 0;
    for (;;) {
        unsigned long seq = wait_for_job(seen);
        atomic_fetch_add(&active, 1);
        pool_job *job = atomic_load(&current_job);
        if (job) run_iterations(job);
        atomic_fetch_sub(&active, 1);
        seen = seq;
    }
    return NULL;
}

static int ensure_started(int threads) {
    int now = atomic_load(&state);
    if (now != 0) return now == 1;
    pthread_mutex_lock(&start_lock);
    if (atomic_load(&state) == 0) {
        int started = 0;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        for (int i = 0; i < threads - 1; i++) {
            pthread_t thread;
            if (pthread_create(&thread, &attr, worker_main, NULL) == 0) started++;
        }
        pthread_attr_destroy(&attr);
        atomic_store(&state, started > 0 ? 1 : -1);
    }
    pthread_mutex_unlock(&start_lock);
    return atomic_load(&state) == 1;
}

int temper_pool_run(long iterations, temper_pool_body body, void *context, int threads) {
    if (iterations <= 0) return 0;
    if (inside_job) return -1;
    if (threads < 2) return -2;
    int expected = 0;
    if (!atomic_compare_exchange_strong(&busy, &expected, 1)) return -2;
    if (!ensure_started(threads)) {
        atomic_store(&busy, 0);
        return -2;
    }
    pool_job job = {body, context, iterations, 0, iterations};
    atomic_store(&current_job, &job);
    atomic_fetch_add(&job_seq, 1);
    atomic_fetch_add(&wake_word, 1);
    if (atomic_load(&sleepers) > 0) futex_wake_all(&wake_word);
    run_iterations(&job);
    WAIT_UNTIL(atomic_load_explicit(&job.remaining, memory_order_acquire) == 0);
    atomic_store(&current_job, NULL);
    WAIT_UNTIL(atomic_load(&active) == 0);
    atomic_store(&busy, 0);
    return 0;
}

void temper_pool_set_spin_microseconds(long microseconds) {
    if (microseconds >= 0) spin_ns = microseconds * 1000L;
}
