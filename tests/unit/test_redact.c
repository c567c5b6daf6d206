/* What camas keeps of unanswered questions carries no personal data: e-mail addresses,
 * Matrix ids, URLs and phone numbers are replaced, the question's words and years stay. */
#include "check.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

static void redacts(const char *in, const char *want)
{
    char *got = camas_text_redact_personal(in);
    CHECK_STR(got, want);
    free(got);
}

int main(void)
{
    redacts("who chairs WashACT?", "who chairs WashACT?");
    redacts("what happened in 2013 and 2015?", "what happened in 2013 and 2015?");
    redacts("RCW 7.68.350 ?", "RCW 7.68.350 ?");
    redacts("mail me at bob.smith@example.org please", "mail me at [email] please");
    redacts("<alice@example.com>, thanks", "<[email]>, thanks");
    redacts("ask @bob:example.org or !room:hs.example or #help:matrix.org.",
            "ask [matrix-id] or [matrix-id] or [matrix-id].");
    redacts("call me: 1 206 555 0100 or (206) 555-0199 or +33 6 12 34 56 78",
            "call me: [number] or [number] or [number]");
    redacts("my case number is 123456789012", "my case number is [number]");
    redacts("see https://example.org/a?b=c and www.example.com.", "see [url] and [url].");
    redacts("le 06.12.34.56.78 c'est mon numéro", "le [number] c'est mon numéro");
    /* a bare @ or # is not an id, and text is never cut */
    redacts("@ the meeting, #1 question", "@ the meeting, #1 question");
    redacts("", "");
    CHECK(camas_text_redact_personal(NULL) == NULL);
    return check_done("redact");
}
