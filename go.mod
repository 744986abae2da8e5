module github.com/wsframe/wsframe

go 1.22

require (
	github.com/valyala/bytebufferpool v1.0.0
	golang.org/x/sys v0.30.0
)
