module github.com/wsframe/wsframe/fuzz

go 1.26

require (
	github.com/gobwas/ws v1.5.0
	github.com/wsframe/wsframe v0.0.0
	golang.org/x/sys v0.30.0
)

require (
	github.com/gobwas/httphead v0.1.0 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
)

replace github.com/wsframe/wsframe => ../
