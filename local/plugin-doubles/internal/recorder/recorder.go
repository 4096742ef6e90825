// Package recorder keeps the requests a test's fake server received (the fake Graph, the fake Docker
// engine), so that tests can check which calls a double made, in which order, with which bodies.
package recorder

import (
	"net/url"
	"sync"
)

type Request struct {
	Method, Path string
	Query        url.Values
	Body         map[string]any // a JSON body
	Form         url.Values     // a form body
}

type Log struct {
	mu       sync.Mutex
	requests []Request
}

func (l *Log) Add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests = append(l.requests, r)
}

// All are the requests so far, oldest first.
func (l *Log) All() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Request(nil), l.requests...)
}

// Calls lists the requests as "METHOD /path".
func (l *Log) Calls() []string {
	var out []string
	for _, r := range l.All() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func (l *Log) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests = nil
}

// Last is the latest request with that method and path.
func (l *Log) Last(method, path string) (Request, bool) {
	all := l.All()
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Method == method && all[i].Path == path {
			return all[i], true
		}
	}
	return Request{}, false
}
