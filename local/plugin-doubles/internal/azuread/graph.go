package azuread

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// graph makes Microsoft Graph calls the way go-azure-sdk's client does (sdk/client/client.go Execute):
// bearer token, JSON bodies, the accepted statuses of each operation, and its retries: 424 and 408 always,
// the call's own retry rule, connection errors on GET, then 429 (honouring Retry-After) and 5xx except 501,
// with 1 s·2^n backoff capped at 61 s, up to 16 retries or as many as fit before the deadline.
type graph struct{ s *session }

// graphError is a non-accepted answer: "unexpected status 404 (404 Not Found) with error: <code>: <message>".
type graphError struct {
	status  int
	code    string
	message string
	body    string
}

func (e *graphError) Error() string {
	status := fmt.Sprintf("%d (%d %s)", e.status, e.status, http.StatusText(e.status))
	switch {
	case e.code != "" || e.message != "":
		var parts []string
		for _, p := range []string{e.code, e.message} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		return fmt.Sprintf("unexpected status %s with error: %s", status, strings.Join(parts, ": "))
	case e.body != "":
		return fmt.Sprintf("unexpected status %s with response: %s", status, e.body)
	default:
		return fmt.Sprintf("unexpected status %s received with no body", status)
	}
}

// matches is odata Error.Match: the regular expression against "<code>: <message>".
func (e *graphError) matches(pattern string) bool {
	return regexp.MustCompile(pattern).MatchString(strings.Join(nonEmpty(e.code, e.message), ": "))
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func isNotFound(err error) bool {
	var gerr *graphError
	return errors.As(err, &gerr) && gerr.status == http.StatusNotFound
}

// retryRule is an operation's own eventual-consistency retry (the real provider's RetryFunc options).
type retryRule func(e *graphError) bool

type call struct {
	method   string
	path     string // "/v1.0/applications/…"
	query    url.Values
	body     any
	accepted []int
	retry    retryRule
	// rawURL, when set, replaces base+path+query (an @odata.nextLink).
	rawURL string
}

const maxRetries = 16

func (g *graph) do(ctx context.Context, c call) ([]byte, error) {
	var body []byte
	if c.body != nil {
		var err error
		if body, err = json.Marshal(c.body); err != nil {
			return nil, err
		}
	}
	target := c.rawURL
	if target == "" {
		target = g.s.endpoints.graph + c.path
		if len(c.query) > 0 {
			target += "?" + c.query.Encode()
		}
	}
	retries := maxRetries
	if deadline, ok := ctx.Deadline(); ok {
		retries = safeRetryNumber(time.Until(deadline))
	}
	for attempt := 0; ; attempt++ {
		data, retryAfter, err := g.once(ctx, c, target, body)
		if err == nil {
			return data, nil
		}
		if attempt >= retries || !g.retryable(c, err) {
			return nil, err
		}
		wait := retryAfter
		if wait < 0 {
			wait = backoff(attempt)
		}
		if err := sleep(ctx, g.s.timing.of(wait)); err != nil {
			return nil, err
		}
	}
}

// safeRetryNumber: how many retries of the backoff fit in t (sdk/client/client.go).
func safeRetryNumber(t time.Duration) int {
	sec := t.Seconds()
	if sec <= 63 {
		if n := int(math.Floor(math.Log2(sec+1))) - 1; n > 0 {
			return n
		}
		return 0
	}
	return (int(sec)-63)/61 + 6
}

func backoff(attempt int) time.Duration {
	d := time.Duration(math.Pow(2, float64(attempt))) * time.Second
	if d > 61*time.Second || d <= 0 {
		d = 61 * time.Second
	}
	return d
}

// connectionError is a request that got no answer.
type connectionError struct{ err error }

func (e *connectionError) Error() string { return e.err.Error() }

func (g *graph) retryable(c call, err error) bool {
	var cerr *connectionError
	if errors.As(err, &cerr) {
		return c.method == http.MethodGet || c.method == http.MethodHead || c.method == http.MethodOptions
	}
	var gerr *graphError
	if !errors.As(err, &gerr) {
		return false
	}
	switch {
	case gerr.status == http.StatusFailedDependency, gerr.status == http.StatusRequestTimeout:
		return true
	case c.retry != nil && c.retry(gerr):
		return true
	case gerr.status == http.StatusTooManyRequests:
		return true
	case gerr.status >= 500 && gerr.status != http.StatusNotImplemented:
		return true
	}
	return false
}

// once sends the call; retryAfter is the Retry-After wait of the answer (-1 when there is none).
func (g *graph) once(ctx context.Context, c call, target string, body []byte) ([]byte, time.Duration, error) {
	token, err := g.s.accessToken(ctx)
	if err != nil {
		return nil, -1, err
	}
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, target, reader)
	if err != nil {
		return nil, -1, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := g.s.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, -1, ctx.Err()
		}
		return nil, -1, &connectionError{err: fmt.Errorf("%s %s: %v", c.method, target, urlErrorCause(err))}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, -1, &connectionError{err: fmt.Errorf("%s %s: reading the answer: %v", c.method, target, err)}
	}
	retryAfter := time.Duration(-1)
	if s, perr := strconv.ParseInt(resp.Header.Get("Retry-After"), 10, 64); perr == nil {
		retryAfter = time.Duration(s) * time.Second
	}
	for _, ok := range c.accepted {
		if resp.StatusCode == ok {
			return data, retryAfter, nil
		}
	}
	gerr := &graphError{status: resp.StatusCode, body: strings.TrimSpace(string(data))}
	var odata struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &odata) == nil && odata.Error != nil {
		gerr.code, gerr.message = odata.Error.Code, odata.Error.Message
	}
	return nil, retryAfter, gerr
}

func decode(data []byte, out any) error {
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("unmarshaling response: %v", err)
	}
	return nil
}

func (g *graph) get(ctx context.Context, path string, query url.Values, out any) error {
	data, err := g.do(ctx, call{method: http.MethodGet, path: path, query: query, accepted: []int{http.StatusOK}})
	if err != nil {
		return err
	}
	return decode(data, out)
}

// list GETs a collection and follows @odata.nextLink.
func (g *graph) list(ctx context.Context, path string, query url.Values) ([]map[string]any, error) {
	c := call{method: http.MethodGet, path: path, query: query, accepted: []int{http.StatusOK}}
	var all []map[string]any
	for {
		data, err := g.do(ctx, c)
		if err != nil {
			return nil, err
		}
		var page struct {
			Value    []map[string]any `json:"value"`
			NextLink string           `json:"@odata.nextLink"`
		}
		if err := decode(data, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Value...)
		if page.NextLink == "" {
			return all, nil
		}
		c.rawURL = page.NextLink
	}
}

func (g *graph) post(ctx context.Context, path string, body, out any, retry retryRule) error {
	data, err := g.do(ctx, call{method: http.MethodPost, path: path, body: body, retry: retry,
		accepted: []int{http.StatusOK, http.StatusCreated, http.StatusAccepted, http.StatusNoContent}})
	if err != nil {
		return err
	}
	return decode(data, out)
}

func (g *graph) patch(ctx context.Context, path string, body any) error {
	_, err := g.do(ctx, call{method: http.MethodPatch, path: path, body: body,
		accepted: []int{http.StatusOK, http.StatusAccepted, http.StatusNoContent}})
	return err
}

func (g *graph) delete(ctx context.Context, path string) error {
	_, err := g.do(ctx, call{method: http.MethodDelete, path: path, accepted: []int{http.StatusOK, http.StatusNoContent}})
	return err
}

// filter is `$filter=<prop> eq '<value>'` with quotes doubled (odata.EscapeSingleQuote).
func filter(prop, value string) url.Values {
	return url.Values{"$filter": {fmt.Sprintf("%s eq '%s'", prop, strings.ReplaceAll(value, "'", "''"))}}
}

// JSON helpers over Graph's objects.
func str(v any) string {
	s, _ := v.(string)
	return s
}

func boolean(v any) bool {
	b, _ := v.(bool)
	return b
}

func object(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func array(v any) []any {
	a, _ := v.([]any)
	return a
}

func strs(v any) []string {
	out := []string{}
	for _, e := range array(v) {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
