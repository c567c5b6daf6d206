/* The plugin worker process (see worker.c). */
#ifndef CAMAS_WORKER_H
#define CAMAS_WORKER_H

/* Runs the worker on an already connected SOCK_SEQPACKET socket until the core closes it.
 * Returns the process exit status. */
int camas_worker_main(int sock, const char *knowledge_dir);

#endif
