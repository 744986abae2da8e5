module github.com/wsframe/wsframe/interop

go 1.22

replace github.com/wsframe/wsframe => ../

require github.com/wsframe/wsframe v0.0.0

require (
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
)
