// Package docker is the double of pulumi-docker 5.2.0's Image (its native resource, provider/image.go and
// provider/provider.go) and Container (bridged from terraform-provider-docker v4.5.0,
// internal/provider/resource_docker_container*.go). It drives a Docker engine through the Engine API over
// the socket in DOCKER_HOST (or the provider's `host` setting), never through the docker CLI.
package docker

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// defaultHost is the Docker client's default (client.DefaultDockerHost on Linux).
const defaultHost = "unix:///var/run/docker.sock"

// maxAPIVersion caps the negotiated Engine API version at one whose request shapes this double sends.
const maxAPIVersion = "1.43"

// Engine is a Docker Engine API client: plain HTTP over a unix socket (or tcp://), API version negotiated
// with /_ping as the Docker client's WithAPIVersionNegotiation does.
type Engine struct {
	host       string
	http       *http.Client
	base       string // "http://docker" or "http://host:port"
	apiVersion string
}

// APIError is an error answer of the engine: its status and message ({"message": …}).
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("Error response from daemon: %s", e.Message)
}

// IsNotFound reports a 404 of the engine ("No such container", "No such image").
func IsNotFound(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound
}

func NewEngine(host string) (*Engine, error) {
	if host == "" {
		host = defaultHost
	}
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("unable to parse docker host %q: %w", host, err)
	}
	e := &Engine{host: host}
	switch u.Scheme {
	case "unix":
		socket := u.Path
		e.base = "http://docker"
		e.http = &http.Client{Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, "unix", socket)
			},
		}}
	case "tcp", "http":
		e.base = "http://" + u.Host
		e.http = &http.Client{Transport: &http.Transport{Proxy: nil}}
	default:
		return nil, fmt.Errorf("docker host %q: the docker plugin double supports unix:// and tcp:// hosts "+
			"(no ssh://, no TLS); run with the real pulumi-resource-docker plugin for those", host)
	}
	return e, nil
}

// Ping checks that the engine answers and settles the API version.
func (e *Engine) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.base+"/_ping", nil)
	if err != nil {
		return err
	}
	resp, err := e.http.Do(req)
	if err != nil {
		return fmt.Errorf("error connecting to docker daemon at %s: %w", e.host, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("error connecting to docker daemon at %s: /_ping answered %s", e.host, resp.Status)
	}
	e.apiVersion = lowerVersion(resp.Header.Get("API-Version"), maxAPIVersion)
	return nil
}

func lowerVersion(a, b string) string {
	if a == "" {
		return b
	}
	var amaj, amin, bmaj, bmin int
	fmt.Sscanf(a, "%d.%d", &amaj, &amin)
	fmt.Sscanf(b, "%d.%d", &bmaj, &bmin)
	if amaj < bmaj || (amaj == bmaj && amin < bmin) {
		return a
	}
	return b
}

func (e *Engine) url(path string, query url.Values) string {
	u := e.base + "/v" + e.apiVersion + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}

// do sends one request; a JSON body is encoded, an io.Reader is sent as is with contentType.
func (e *Engine) do(ctx context.Context, method, path string, query url.Values, body any, headers map[string]string) (*http.Response, error) {
	if e.apiVersion == "" {
		if err := e.Ping(ctx); err != nil {
			return nil, err
		}
	}
	var reader io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case io.Reader:
		reader, contentType = b, "application/x-tar"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		reader, contentType = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, e.url(path, query), reader)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := e.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("error during connect to the docker daemon at %s: %w", e.host, err)
	}
	if resp.StatusCode >= 400 {
		defer resp.Body.Close()
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64*1024))
		var msg struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &msg) != nil || msg.Message == "" {
			msg.Message = strings.TrimSpace(string(data))
		}
		return nil, &APIError{Status: resp.StatusCode, Message: msg.Message}
	}
	return resp, nil
}

// call sends a request and decodes a JSON answer into out (when out is not nil).
func (e *Engine) call(ctx context.Context, method, path string, query url.Values, body, out any) error {
	resp, err := e.do(ctx, method, path, query, body, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// jsonMessage is one line of the engine's progress streams (build, pull).
type jsonMessage struct {
	Stream      string          `json:"stream"`
	Status      string          `json:"status"`
	Progress    string          `json:"progress"`
	ID          string          `json:"id"`
	Aux         json.RawMessage `json:"aux"`
	Error       string          `json:"error"`
	ErrorDetail *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"errorDetail"`
}

// readStream decodes a progress stream, passing each message on; the first error message ends it.
func readStream(body io.Reader, each func(jsonMessage) error) error {
	dec := json.NewDecoder(bufio.NewReader(body))
	for {
		var m jsonMessage
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("error parsing Docker output: %v", err)
		}
		if m.ErrorDetail != nil || m.Error != "" {
			msg := m.Error
			if m.ErrorDetail != nil && m.ErrorDetail.Message != "" {
				msg = m.ErrorDetail.Message
			}
			if m.ErrorDetail != nil && m.ErrorDetail.Code == 401 {
				return errors.New("authentication is required")
			}
			return errors.New(msg)
		}
		if err := each(m); err != nil {
			return err
		}
	}
}

// hostFromConfig is the provider's `host` setting, else DOCKER_HOST, else the default socket (the real
// provider's setConfiguration/configureDockerClient order).
func hostFromConfig(configured string) string {
	if configured != "" {
		return configured
	}
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		return h
	}
	return defaultHost
}
