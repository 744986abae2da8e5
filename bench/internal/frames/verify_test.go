package frames

import "testing"

func TestVerifyFrames(t *testing.T) {
	if err := VerifyFrames(); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyMessages(t *testing.T) {
	if err := VerifyMessages(); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyEncode(t *testing.T) {
	if err := VerifyEncode(); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyHeaders(t *testing.T) {
	if err := VerifyHeaders(); err != nil {
		t.Fatal(err)
	}
}
