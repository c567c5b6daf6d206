/* Unit tests for outgoing content: notices, HTML escaping, reply relations, threads and
 * intentional mentions. */
#include "check.h"
#include "reply.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

static const char *get(const cJSON *o, const char *path)
{
    /* path like "m.relates_to/m.in_reply_to/event_id" */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *cur = o;
    for (char *tok = strtok(buf, "/"); tok && cur; tok = strtok(NULL, "/"))
        cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
    return cJSON_IsString(cur) ? cur->valuestring : NULL;
}

int main(void)
{
    char *e = camas_html_escape("<b>a & 'b' \"c\"</b>\nx");
    CHECK_STR(e, "&lt;b&gt;a &amp; &#39;b&#39; &quot;c&quot;&lt;/b&gt;<br>x");
    free(e);
    e = camas_html_escape("");
    CHECK_STR(e, "");
    free(e);

    camas_message q = {.room_id = "!r", .sender = "@alice:l", .event_id = "$q"};
    char *json = camas_reply_content(&q, "a < b", NULL);
    cJSON *c = cJSON_Parse(json);
    CHECK(c != NULL);
    CHECK_STR(get(c, "msgtype"), "m.notice");
    CHECK_STR(get(c, "body"), "a < b");
    CHECK_STR(get(c, "format"), "org.matrix.custom.html");
    CHECK_STR(get(c, "formatted_body"), "a &lt; b");
    CHECK_STR(get(c, "m.relates_to/m.in_reply_to/event_id"), "$q");
    CHECK(get(c, "m.relates_to/rel_type") == NULL);
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(c, "m.mentions"), "user_ids");
    CHECK(cJSON_GetArraySize(ids) == 1);
    CHECK_STR(cJSON_GetArrayItem(ids, 0)->valuestring, "@alice:l");
    CHECK(strstr(json, "> ") == NULL); /* no reply fallback */
    cJSON_Delete(c);
    free(json);

    q.thread_root = "$root";
    json = camas_reply_content(&q, "in thread", "<em>in thread</em>");
    c = cJSON_Parse(json);
    CHECK_STR(get(c, "formatted_body"), "<em>in thread</em>");
    CHECK_STR(get(c, "m.relates_to/rel_type"), "m.thread");
    CHECK_STR(get(c, "m.relates_to/event_id"), "$root");
    CHECK_STR(get(c, "m.relates_to/m.in_reply_to/event_id"), "$q");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(c, "m.relates_to"), "is_falling_back")));
    cJSON_Delete(c);
    free(json);

    json = camas_notice_content("plain notice", NULL);
    c = cJSON_Parse(json);
    CHECK_STR(get(c, "msgtype"), "m.notice");
    CHECK(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(c, "m.mentions")));
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, "m.mentions")) == 0);
    CHECK(cJSON_GetObjectItemCaseSensitive(c, "m.relates_to") == NULL);
    cJSON_Delete(c);
    free(json);
    return check_done("reply");
}
