package azuread

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// waitFor is the plugin SDK's StateChangeConf.WaitForStateContext as the provider uses it: refresh at once,
// then again and again until it reports the target `continuous` times in a row; between refreshes the wait
// doubles while the target is not reached (from 100 ms, at least minWait, at most 10 s) and stays put while
// it repeats. found=false is "no object yet", which may happen 20 times in a row (NotFoundChecks) before the
// wait gives up; atTarget=false with found is "pending" and resets the count.
func waitFor(ctx context.Context, t timing, minWait time.Duration, continuous int,
	refresh func(ctx context.Context) (found, atTarget bool, err error),
) error {
	const notFoundChecks = 20
	wait, inARow, notFound := 100*time.Millisecond, 0, 0
	for {
		found, atTarget, err := refresh(ctx)
		if err != nil {
			return err
		}
		switch {
		case !found:
			inARow = 0
			if notFound++; notFound > notFoundChecks {
				return fmt.Errorf("couldn't find resource (%d retries)", notFoundChecks)
			}
		case atTarget:
			notFound = 0
			if inARow++; inARow == continuous {
				return nil
			}
		default:
			notFound, inARow = 0, 0
		}
		if inARow == 0 {
			wait *= 2
		}
		if wait < minWait {
			wait = minWait
		} else if wait > 10*time.Second {
			wait = 10 * time.Second
		}
		if err := sleep(ctx, t.of(wait)); err != nil {
			return fmt.Errorf("timeout while waiting for state to become target: %w", err)
		}
	}
}

// waitForDeletion is internal/helpers/consistency WaitForDeletion: 5 reads in a row that find the object
// gone, at least 5 s apart.
func waitForDeletion(ctx context.Context, t timing, exists func(ctx context.Context) (bool, error)) error {
	return waitFor(ctx, t, 5*time.Second, 5, func(ctx context.Context) (bool, bool, error) {
		there, err := exists(ctx)
		if err != nil {
			return false, false, fmt.Errorf("retrieving resource: %v", err)
		}
		return true, !there, nil
	})
}

// locks serialize the changes to one application, as tf.LockByName(applicationResourceName, id) does: its
// redirect URIs, API access and passwords are all PATCHes of the same object.
type locks struct {
	mu    sync.Mutex
	byKey map[string]*sync.Mutex
}

func (l *locks) lock(key string) func() {
	l.mu.Lock()
	if l.byKey == nil {
		l.byKey = map[string]*sync.Mutex{}
	}
	m, ok := l.byKey[key]
	if !ok {
		m = &sync.Mutex{}
		l.byKey[key] = m
	}
	l.mu.Unlock()
	m.Lock()
	return m.Unlock
}
