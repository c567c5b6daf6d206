/* Outgoing event content. Replies carry no fallback quote (removed from the spec in v1.13) and
 * always carry m.mentions, naming only the asker, so the bot never pings anyone else. */
#include "reply.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

char *camas_html_escape(const char *s)
{
    camas_buf b = {0};
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        case '\n':
            rep = "<br>";
            break;
        }
        if (rep ? camas_buf_puts(&b, rep) : camas_buf_append(&b, s, 1)) {
            camas_buf_free(&b);
            return NULL;
        }
    }
    if (!b.data)
        return strdup("");
    return b.data;
}

static cJSON *notice_object(const char *plain, const char *html)
{
    cJSON *c = cJSON_CreateObject();
    char *escaped = html ? NULL : camas_html_escape(plain);
    if (!c || (!html && !escaped) || !cJSON_AddStringToObject(c, "msgtype", "m.notice") ||
        !cJSON_AddStringToObject(c, "body", plain) ||
        !cJSON_AddStringToObject(c, "format", "org.matrix.custom.html") ||
        !cJSON_AddStringToObject(c, "formatted_body", html ? html : escaped)) {
        free(escaped);
        cJSON_Delete(c);
        return NULL;
    }
    free(escaped);
    return c;
}

static char *print_and_delete(cJSON *c)
{
    char *out = c ? cJSON_PrintUnformatted(c) : NULL;
    cJSON_Delete(c);
    return out;
}

char *camas_reply_content(const camas_message *q, const char *plain, const char *html)
{
    cJSON *c = notice_object(plain, html);
    if (!c)
        return NULL;
    cJSON *rel = cJSON_AddObjectToObject(c, "m.relates_to");
    cJSON *in_reply = rel ? cJSON_AddObjectToObject(rel, "m.in_reply_to") : NULL;
    cJSON *mentions = cJSON_AddObjectToObject(c, "m.mentions");
    cJSON *ids = mentions ? cJSON_AddArrayToObject(mentions, "user_ids") : NULL;
    cJSON *asker = cJSON_CreateString(q->sender);
    if (!in_reply || !ids || !asker ||
        !cJSON_AddStringToObject(in_reply, "event_id", q->event_id)) {
        cJSON_Delete(asker);
        cJSON_Delete(c);
        return NULL;
    }
    cJSON_AddItemToArray(ids, asker);
    if (q->thread_root) {
        /* Stay in the thread; is_falling_back=false because this really replies to q. */
        if (!cJSON_AddStringToObject(rel, "rel_type", "m.thread") ||
            !cJSON_AddStringToObject(rel, "event_id", q->thread_root) ||
            !cJSON_AddBoolToObject(rel, "is_falling_back", 0)) {
            cJSON_Delete(c);
            return NULL;
        }
    }
    return print_and_delete(c);
}

char *camas_notice_content(const char *plain, const char *html)
{
    cJSON *c = notice_object(plain, html);
    if (c && !cJSON_AddObjectToObject(c, "m.mentions")) {
        cJSON_Delete(c);
        return NULL;
    }
    return print_and_delete(c);
}
