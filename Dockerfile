# Multi-stage build: a static binary on a minimal image, run as a non-root user.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/renofund ./cmd/renofund \
 && mkdir -p /out/data

FROM scratch
COPY --from=build /out/renofund /usr/local/bin/renofund
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
WORKDIR /
ENV RENOFUND_DATABASE_URL=sqlite:/data/renofund.db \
    RENOFUND_ADDR=0.0.0.0:8080
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/renofund"]
CMD ["serve"]
