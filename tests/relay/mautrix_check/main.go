// mautrix_check connects mautrix-go's appservice websocket client (the one bridges use
// against mautrix-wsproxy) to tests/relay/wsproxy_relay.py and checks that the two speak
// the same protocol:
//
//  1. the websocket upgrade with the as_token, and the relay's {"status": "connected"};
//  2. a transaction: PUT /_matrix/app/v1/transactions/{txnId} to the relay with the
//     hs_token (a timeline event plus an ephemeral event under the unstable MSC2409 name)
//     reaches mautrix-go's event channel intact, and the relay answers the PUT with 200 {};
//  3. a request/response: mautrix-go's RequestWebsocket "ping" gets the relay's
//     "response" with a timestamp, and an unknown command gets an "error" that mautrix-go
//     turns into an *ErrorResponse carrying the relay's message;
//  4. a second client replaces the first: the first sees the close code 4001 and the
//     reason parsed as conn_replaced.
//
// Usage: mautrix_check RELAY_URL AS_TOKEN HS_TOKEN
// Prints one "ok: ..." line per check and "mautrix_check: PASS" at the end (exit 0), or
// "FAIL: ..." (exit 1).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/appservice"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

func fail(format string, args ...any) {
	fmt.Printf("FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func ok(format string, args ...any) {
	fmt.Printf("ok: "+format+"\n", args...)
}

func newAppService(relayURL, asToken, hsToken string) *appservice.AppService {
	reg := &appservice.Registration{
		ID:              "mautrix-check",
		URL:             relayURL,
		AppToken:        asToken,
		ServerToken:     hsToken,
		SenderLocalpart: "mautrixcheck",
		EphemeralEvents: true,
	}
	as, err := appservice.CreateFull(appservice.CreateOpts{
		Registration:     reg,
		HomeserverDomain: "localhost",
		HomeserverURL:    relayURL,
	})
	if err != nil {
		fail("appservice.CreateFull: %v", err)
	}
	if os.Getenv("MAUTRIX_CHECK_DEBUG") != "" {
		as.Log = zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr}).Level(zerolog.DebugLevel)
	}
	return as
}

// start runs StartWebsocket in the background; connected is closed once onConnect ran,
// and the error StartWebsocket returns (how the connection ended) goes to done.
func start(ctx context.Context, as *appservice.AppService, relayURL string) (<-chan struct{}, <-chan error) {
	connected := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- as.StartWebsocket(ctx, relayURL, func() { close(connected) })
	}()
	select {
	case <-connected:
	case err := <-done:
		fail("StartWebsocket returned before connecting: %v", err)
	case <-time.After(10 * time.Second):
		fail("no websocket connection within 10 s")
	}
	return connected, done
}

func putTransaction(relayURL, hsToken, txnID string, body any) (int, string) {
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPut,
		strings.TrimRight(relayURL, "/")+"/_matrix/app/v1/transactions/"+txnID, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+hsToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fail("PUT transaction %s: %v", txnID, err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(text)
}

// nextEvent skips anything that is not wanted (e.g. the relay's {"status":"connected"}
// frame is handled by mautrix-go as an empty transaction and yields no event).
func nextEvent(ch <-chan *event.Event, what string) *event.Event {
	select {
	case evt := <-ch:
		return evt
	case <-time.After(10 * time.Second):
		fail("%s did not reach mautrix-go's event channel within 10 s", what)
	}
	return nil
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: mautrix_check RELAY_URL AS_TOKEN HS_TOKEN")
		os.Exit(2)
	}
	relayURL, asToken, hsToken := os.Args[1], os.Args[2], os.Args[3]
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// 0. a wrong as_token is refused before the upgrade, with the relay's Matrix error
	bad := newAppService(relayURL, asToken+"-wrong", hsToken)
	err := bad.StartWebsocket(ctx, relayURL, nil)
	if err == nil || !strings.Contains(err.Error(), "M_UNKNOWN_TOKEN") {
		fail("a wrong as_token: want an M_UNKNOWN_TOKEN error, got %v", err)
	}
	ok("wrong as_token refused: %v", err)

	// 1. connect
	as := newAppService(relayURL, asToken, hsToken)
	_, done1 := start(ctx, as, relayURL)
	if !as.HasWebsocket() {
		fail("connected, but HasWebsocket() is false")
	}
	ok("websocket connected")

	// 2. a transaction pushed to the relay over HTTP arrives over the websocket
	roomID := id.RoomID("!check:localhost")
	txn := map[string]any{
		"events": []any{map[string]any{
			"type": "m.room.message", "event_id": "$check1", "room_id": roomID,
			"sender": "@alice:localhost", "origin_server_ts": 1700000000000,
			"content": map[string]any{"msgtype": "m.text", "body": "hello from the relay"},
		}},
		"de.sorunome.msc2409.ephemeral": []any{map[string]any{
			"type": "m.typing", "room_id": roomID,
			"content": map[string]any{"user_ids": []string{"@alice:localhost"}},
		}},
	}
	status, body := putTransaction(relayURL, hsToken, "check-txn-1", txn)
	if status != http.StatusOK || strings.TrimSpace(body) != "{}" {
		fail("PUT transaction: want 200 {}, got %d %s", status, body)
	}
	var gotMsg, gotTyping bool
	for !(gotMsg && gotTyping) {
		evt := nextEvent(as.Events, "the transaction's events")
		switch evt.Type.Type {
		case "m.room.message":
			msg := evt.Content.AsMessage() // parsed by mautrix-go on the way in
			if evt.ID != "$check1" || evt.RoomID != roomID || evt.Sender != "@alice:localhost" ||
				msg.Body != "hello from the relay" || msg.MsgType != event.MsgText {
				fail("message event arrived altered: %+v %+v", evt, msg)
			}
			gotMsg = true
		case "m.typing":
			if evt.Type.Class != event.EphemeralEventType || evt.RoomID != roomID {
				fail("typing event arrived altered: %+v", evt)
			}
			gotTyping = true
		default:
			fail("unexpected event %s", evt.Type.Type)
		}
	}
	ok("transaction delivered: m.room.message $check1 and ephemeral m.typing (MSC2409 name)")

	// 3. requests from the client: ping -> response, unknown command -> error
	var pong struct {
		Timestamp int64 `json:"timestamp"`
	}
	sent := time.Now().UnixMilli()
	err = as.RequestWebsocket(ctx, &appservice.WebsocketRequest{
		Command: "ping", Data: map[string]any{"timestamp": sent}}, &pong)
	if err != nil {
		fail("ping request: %v", err)
	}
	if pong.Timestamp < sent-5000 || pong.Timestamp > time.Now().UnixMilli()+5000 {
		fail("ping response timestamp %d not near now (%d)", pong.Timestamp, sent)
	}
	ok("request/response: ping answered with timestamp %d", pong.Timestamp)

	err = as.RequestWebsocket(ctx, &appservice.WebsocketRequest{
		Command: "no_such_command", Data: map[string]any{}}, nil)
	var errResp *appservice.ErrorResponse
	if !errors.As(err, &errResp) || !strings.Contains(errResp.Message, "no_such_command") {
		fail("unknown command: want an *ErrorResponse naming it, got %T %v", err, err)
	}
	ok("request/error: unknown command answered with error %q", errResp.Message)

	// 4. a second client replaces the first: close 4001, reason conn_replaced
	as2 := newAppService(relayURL, asToken, hsToken)
	_, done2 := start(ctx, as2, relayURL)
	select {
	case err := <-done1:
		var cc *appservice.CloseCommand
		if !errors.As(err, &cc) || cc.Code != appservice.WebsocketCloseConnReplaced ||
			cc.Status != appservice.MeowConnectionReplaced {
			fail("replaced connection: want CloseCommand 4001 conn_replaced, got %T %v", err, err)
		}
		ok("first connection replaced: %v", err)
	case <-time.After(10 * time.Second):
		fail("the first connection was not closed after a second one connected")
	}
	// the second connection receives the next transaction
	status, body = putTransaction(relayURL, hsToken, "check-txn-2", map[string]any{
		"events": []any{map[string]any{
			"type": "m.room.message", "event_id": "$check2", "room_id": roomID,
			"sender": "@alice:localhost", "origin_server_ts": 1700000000001,
			"content": map[string]any{"msgtype": "m.text", "body": "second"},
		}}})
	if status != http.StatusOK {
		fail("PUT transaction 2: want 200, got %d %s", status, body)
	}
	if evt := nextEvent(as2.Events, "transaction 2"); evt.ID != "$check2" {
		fail("transaction 2: got event %s", evt.ID)
	}
	ok("transaction delivered to the replacing connection")

	as2.StopWebsocket(appservice.ErrWebsocketManualStop)
	if err := <-done2; !errors.Is(err, appservice.ErrWebsocketManualStop) {
		fail("manual stop: got %v", err)
	}
	fmt.Println("mautrix_check: PASS")
}
