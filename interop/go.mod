module github.com/wsframe/wsframe/interop

go 1.26

replace github.com/wsframe/wsframe => ../

require (
	github.com/gobwas/ws v1.5.0
	github.com/gorilla/websocket v1.5.3
	github.com/wsframe/wsframe v0.0.0
)

require (
	github.com/gobwas/httphead v0.1.0 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
)
