package config

import (
	"errors"
	"testing"
)

func TestTrustProxyIsOnOnlyOnHerokuOrWhenSet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"outside Heroku the forwarded headers are not trusted", map[string]string{}, false},
		{"on a Heroku dyno the router is trusted", map[string]string{"DYNO": "web.1"}, true},
		{"TRUST_PROXY=true is obeyed anywhere", map[string]string{"TRUST_PROXY": "true"}, true},
		{"TRUST_PROXY=false wins even on Heroku", map[string]string{"DYNO": "web.1", "TRUST_PROXY": "false"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.env["SESSION_KEYS"] = goodKey
			tc.env["MS_BASE_URL"] = "https://ms.example.org"
			c, err := Load(tc.env, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.TrustProxy != tc.want {
				t.Fatalf("TrustProxy = %v, want %v", c.TrustProxy, tc.want)
			}
		})
	}
}

func TestHardeningSettingsAreValidated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, variable string
		env            map[string]string
	}{
		{"an address limit below the pair limit is refused", "LOGIN_ADDRESS_MAX_FAILURES", map[string]string{"LOGIN_ADDRESS_MAX_FAILURES": "3"}},
		{"an address limit that is not a number is refused", "LOGIN_ADDRESS_MAX_FAILURES", map[string]string{"LOGIN_ADDRESS_MAX_FAILURES": "many"}},
		{"a body memory below the body limit is refused", "BODY_MEMORY", map[string]string{"BODY_MEMORY": "2048"}},
		{"a body memory below twice the body limit is refused", "BODY_MEMORY", map[string]string{"BODY_MEMORY": "1048576"}},
		{"a short metrics token is refused", "METRICS_TOKEN", map[string]string{"METRICS_TOKEN": "short"}},
		{"a metrics address without a port is refused", "METRICS_ADDR", map[string]string{"METRICS_ADDR": "127.0.0.1"}},
		{"a metrics address equal to the app's is refused", "METRICS_ADDR", map[string]string{"METRICS_ADDR": "0.0.0.0:5000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.env["SESSION_KEYS"] = goodKey
			tc.env["MS_BASE_URL"] = "https://ms.example.org"
			_, err := Load(tc.env, nil)
			var ce *Error
			if !errors.As(err, &ce) || ce.Var != tc.variable {
				t.Fatalf("err = %v, want a refusal naming %s", err, tc.variable)
			}
		})
	}
	c, err := Load(map[string]string{"SESSION_KEYS": goodKey, "MS_BASE_URL": "https://ms.example.org"}, nil)
	if err != nil || c.LoginAddressMaxFailures != 50 || c.BodyMemory != 32<<20 || !c.MetricsToken.Empty() || c.MetricsAddr != "" {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
}

func TestAddressLimitFollowsThePairLimit(t *testing.T) {
	t.Parallel()
	c, err := Load(map[string]string{"SESSION_KEYS": goodKey, "MS_BASE_URL": "https://ms.example.org", "LOGIN_MAX_FAILURES": "1000"}, nil)
	if err != nil || c.LoginAddressMaxFailures != 5000 {
		t.Fatalf("LoginAddressMaxFailures = %d, %v; want 5000", c.LoginAddressMaxFailures, err)
	}
}
