/* HTTP(S) client requests on the libwebsockets event loop. Each request gets exactly one
 * completion callback: a response (any status) or a transport error (status 0). */
#ifndef CAMAS_HTTP_H
#define CAMAS_HTTP_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct camas_endpoint {
    bool tls;
    char host[256];
    int port;
    char base_path[256]; /* without trailing slash; "" for the root */
} camas_endpoint;

/* Parses "http[s]://host[:port][/path]"; returns 0, or -1 with a reason in err. */
int camas_endpoint_parse(camas_endpoint *ep, const char *url, char *err, size_t errlen);

typedef struct camas_http_response {
    int status;        /* HTTP status, 0 for a transport error */
    const char *error; /* transport error text when status == 0 */
    const char *body;  /* NUL-terminated */
    size_t body_len;
    int64_t retry_after_ms; /* from a Retry-After header, -1 if none */
} camas_http_response;

typedef void (*camas_http_cb)(void *ud, const camas_http_response *resp);

typedef struct camas_http_request camas_http_request;

/* The set of requests one owner has in flight, so the owner can cancel them all before it
 * goes away (otherwise a connection torn down later would call back into freed memory). */
typedef struct camas_http_pool {
    struct lws_context *ctx;
    camas_http_request *head;
} camas_http_pool;

/* Cancels every request of the pool: none of their callbacks will run. */
void camas_http_pool_cancel_all(camas_http_pool *pool);

/* The protocol entry the core's lws context must list so requests find their callback. */
extern const struct lws_protocols camas_http_protocol;

typedef struct camas_http_options {
    const char *method; /* "GET", "POST", "PUT", … */
    const char *path;   /* appended to the endpoint's base path; includes the query */
    const char *bearer; /* access token, or NULL */
    const char *body;   /* JSON body, or NULL */
    int timeout_ms;     /* whole request deadline */
    bool free_ud;       /* ud is a plain malloc'd block to free() if the request is cancelled */
} camas_http_options;

/* Starts a request. The callback runs later on the loop, never from inside this call.
 * Returns a handle usable with camas_http_cancel until the callback has run, or NULL when
 * out of memory. */
camas_http_request *camas_http_start(camas_http_pool *pool, const camas_endpoint *ep,
                                     const camas_http_options *opt, camas_http_cb cb, void *ud);
/* Abandons a request: its callback will not run. */
void camas_http_cancel(camas_http_request *req);

/* A Retry-After header's value (delay-seconds) in milliseconds, capped at
 * CAMAS_RETRY_AFTER_MAX_MS; -1 when it is not a number of seconds (an HTTP date is treated as
 * absent: the caller's own back-off applies). */
int64_t camas_http_retry_after_ms(const char *value);

/* Without a network (fuzzing, tests that drive a client offline): answers the oldest request
 * of the pool whose path contains path_part (NULL: any) with r, as though the server had sent
 * it, and frees the request. Only requests that have not started a connection (no lws_service
 * ran since) are answered. Returns 1 if one was, 0 if none matched. */
int camas_http_pool_answer(camas_http_pool *pool, const char *path_part,
                           const camas_http_response *r);

/* Largest response body accepted (bigger ones fail as a transport error). */
#define CAMAS_HTTP_MAX_BODY (64u * 1024 * 1024)

#endif
