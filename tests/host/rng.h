/*
 * Randomness for the host unit tests: splitmix64, so a seed gives the same sequence on every
 * host. test_seed() takes TEST_SEED (or the clock and pid), prints the replay hint to stderr
 * and returns the seed for failure messages; test_iters() takes TEST_ITERS or a default.
 * Each test file that includes this has its own generator state.
 */
#ifndef TESTS_HOST_RNG_H
#define TESTS_HOST_RNG_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng_state;

static inline uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A number in [0, n); 0 when n is 0. */
static inline uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* Prints "<what>: seed N (replay with TEST_SEED=N)" and starts the sequence for that seed. */
static inline unsigned long long test_seed(const char *what)
{
	const char *env = getenv("TEST_SEED");
	unsigned long long seed = env ? strtoull(env, NULL, 0) :
		(unsigned long long)time(NULL) ^ (unsigned long long)getpid() << 20;

	fprintf(stderr, "%s: seed %llu (replay with TEST_SEED=%llu)\n", what, seed, seed);
	rng_state = seed;
	return seed;
}

static inline long test_iters(long dflt)
{
	const char *env = getenv("TEST_ITERS");

	return env ? atol(env) : dflt;
}

#endif
