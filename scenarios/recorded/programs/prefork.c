/* SPDX-License-Identifier: MIT */
/*
 * prefork.c - a pre-forking server, for `anonvma record`.
 *
 * The master prepares its state (a table it fills, as a server loads its
 * configuration), then keeps WORKERS workers alive.  It hands out REQUESTS
 * requests over a socket pair; each worker serves up to PER_WORKER of them
 * and exits, and the master forks a replacement: the Apache prefork
 * pattern.  Serving a request reads the shared table (copy-on-write pages
 * shared with the master) and builds a reply in fresh heap memory.
 *
 *   prefork [WORKERS [REQUESTS [PER_WORKER]]]     (default 4 200 10)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define TABLE (256 * 1024)

static unsigned char *table;

static unsigned serve(unsigned req)
{
	size_t len = 4096 + (req % 8) * 4096;
	unsigned char *reply = malloc(len);
	unsigned sum = 0;

	if (!reply)
		return 0;
	for (size_t i = 0; i < len; i++)
		reply[i] = table[(req * 131 + i * 7) % TABLE];
	for (size_t i = 0; i < len; i += 64)
		sum += reply[i];
	free(reply);
	return sum;
}

static void worker(int sock, unsigned per_worker)
{
	unsigned req, reply;

	for (unsigned n = 0; n < per_worker; n++) {
		if (read(sock, &req, sizeof(req)) != sizeof(req))
			break;
		reply = serve(req);
		if (write(sock, &reply, sizeof(reply)) != sizeof(reply))
			break;
	}
	_exit(0);
}

static pid_t spawn(int *sock, unsigned per_worker)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	if ((pid = fork()) == 0) {
		close(sv[0]);
		worker(sv[1], per_worker);
	}
	close(sv[1]);
	*sock = sv[0];
	return pid;
}

int main(int argc, char **argv)
{
	unsigned workers = argc > 1 ? (unsigned)atoi(argv[1]) : 4;
	unsigned requests = argc > 2 ? (unsigned)atoi(argv[2]) : 200;
	unsigned per_worker = argc > 3 ? (unsigned)atoi(argv[3]) : 10;
	unsigned long total = 0;
	int *sock;
	unsigned *served;

	if (!workers || !per_worker || !(table = malloc(TABLE)) ||
	    !(sock = calloc(workers, sizeof(*sock))) || !(served = calloc(workers, sizeof(*served))))
		return 1;
	for (size_t i = 0; i < TABLE; i++)
		table[i] = (unsigned char)(i * 2654435761u >> 24);
	for (unsigned w = 0; w < workers; w++)
		if (spawn(&sock[w], per_worker) < 0)
			return 1;
	for (unsigned req = 0; req < requests; req++) {
		unsigned w = req % workers, reply;
		if (served[w] == per_worker) {          /* it has exited: replace it */
			close(sock[w]);
			wait(NULL);
			if (spawn(&sock[w], per_worker) < 0)
				return 1;
			served[w] = 0;
		}
		if (write(sock[w], &req, sizeof(req)) != sizeof(req) ||
		    read(sock[w], &reply, sizeof(reply)) != sizeof(reply))
			return 1;
		served[w]++;
		total += reply;
	}
	for (unsigned w = 0; w < workers; w++)
		close(sock[w]);
	while (wait(NULL) > 0)
		;
	printf("%u requests, checksum %lu\n", requests, total);
	return 0;
}
