package main

import (
	_ "github.com/caarlos0/env/v11"
	_ "github.com/chromedp/chromedp"
	_ "github.com/gofiber/fiber/v2"
	_ "github.com/lestrrat-go/jwx/v2/jwe"
	_ "github.com/lestrrat-go/jwx/v2/jwt"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/sony/gobreaker/v2"
	_ "golang.org/x/sync/singleflight"
	_ "golang.org/x/time/rate"
	_ "github.com/google/uuid"
	_ "github.com/prometheus/common/expfmt"
)

func main() {}
