/* The plugin worker process (see worker.c). */
#ifndef CAMAS_WORKER_H
#define CAMAS_WORKER_H

/* Runs the worker on an already connected SOCK_SEQPACKET socket until the core closes it.
 * Returns the process exit status. */
typedef struct camas_worker_options {
    const char *knowledge_dir;
    const char *match_mode; /* "hybrid" (NULL), "lexical", "dense" */
    const char *model_path; /* NULL or "": lexical matching only */
    int embed_cache_fd;     /* the vector cache opened by the core, or -1 */
} camas_worker_options;

int camas_worker_main(int sock, const camas_worker_options *opt);

#endif
