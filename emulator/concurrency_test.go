package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Many clients log in and read /user at once; every answer must name the client's own user.
func TestConcurrentLoginsEachSeeTheirOwnUser(t *testing.T) {
	t.Parallel()
	const users, rounds = 40, 5
	srv := New(Options{SeedUsers: LoadUsers(users)})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	client := ts.Client()

	var wg sync.WaitGroup
	errs := make(chan error, users*rounds)
	for i := 1; i <= users; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := fmt.Sprintf("loaduser%d", i)
			for range rounds {
				if err := loginAndRead(client, ts.URL, name, fmt.Sprintf("loadpass%d", i)); err != nil {
					errs <- err
					return
				}
			}
		}(i)
	}
	// Writers run alongside: registrations and profile reads of the list.
	for i := range 10 {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			body := fmt.Sprintf(`{"name":"Racer","username":"racer%d","password":"racerpass","email":"racer%d@example.org","terms_and_conditions_checked":true}`, i, i)
			res, err := client.Post(ts.URL+"/register", "application/json", strings.NewReader(body))
			if err != nil {
				errs <- err
				return
			}
			res.Body.Close()
			if res.StatusCode != http.StatusCreated {
				errs <- fmt.Errorf("register racer%d: %d", i, res.StatusCode)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := srv.Calls("POST /login"); got != users*rounds {
		t.Errorf("counted %d logins, want %d", got, users*rounds)
	}
}

func loginAndRead(client *http.Client, base, username, password string) error {
	body := fmt.Sprintf(`{"username":%q,"password":%q}`, username, password)
	res, err := client.Post(base+"/login", "application/json", strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("login %s: %w", username, err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		return fmt.Errorf("login %s: status %d: %v", username, res.StatusCode, err)
	}
	req, _ := http.NewRequest("GET", base+"/user", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	res, err = client.Do(req)
	if err != nil {
		return fmt.Errorf("get user %s: %w", username, err)
	}
	defer res.Body.Close()
	var u struct {
		Username string `json:"username"`
	}
	if err := json.NewDecoder(res.Body).Decode(&u); err != nil {
		return fmt.Errorf("get user %s: %w", username, err)
	}
	if u.Username != username {
		return fmt.Errorf("token of %s read user %q", username, u.Username)
	}
	return nil
}
