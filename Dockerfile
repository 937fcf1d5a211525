# The BFF as a container image, for operators who are not on Heroku:
#   docker build -t bridge-in-tech-bff .
#   docker run -p 5000:5000 --env-file .env bridge-in-tech-bff     (.env.example lists every setting)
# Stage 1 compiles a static binary (CGO_ENABLED=0: the BFF and its dependencies are pure Go); stage 2 is
# distroless/static, which has no shell and no package manager, and runs it as the unprivileged user nonroot.
# dockerfile_test.go runs this file's `go build` line itself and checks the binary is static and answers -h.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/bridge-in-tech-bff .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bridge-in-tech-bff /bridge-in-tech-bff
USER nonroot:nonroot
ENV HOST=0.0.0.0 PORT=5000
EXPOSE 5000
ENTRYPOINT ["/bridge-in-tech-bff"]
