// A self-signed certificate for 127.0.0.1/localhost (EC P-256, valid until 2126), so the emulator can
// serve HTTPS: kubectl (client-go clientcmd) sends bearer tokens only over TLS. Not a secret: it only
// ever protects a loopback test server, and clients connect with insecure-skip-tls-verify.
export const EMULATOR_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBoTCCAUegAwIBAgIUIDyli/govPaoiNfeHbbB4y8/yF4wCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMZWNvLWVtdWxhdG9yMCAXDTI2MTEyNzE3MjYxOVoYDzIxMjYx
MTAzMTcyNjE5WjAXMRUwEwYDVQQDDAxlY28tZW11bGF0b3IwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAQNyecAXCwqs1T2II0/wfwN9/BVbCIZAb0ZMKIgA/UpVPRo
I3dAdHqzc8Fhq56np2Gi0tw+Xnljv/7+oOJY4XlTo28wbTAdBgNVHQ4EFgQUliio
R+rwPHWjmSrdlk60megepaYwHwYDVR0jBBgwFoAUliioR+rwPHWjmSrdlk60mege
paYwDwYDVR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3Qw
CgYIKoZIzj0EAwIDSAAwRQIhAIFfVk/4C+wdIweZQ/zXxyctkq2bRax2XhTXj1bM
1t1fAiACPDs0OuU8LMXxiPmucKW5ZasOlxy2AeHLytw+pX19FA==
-----END CERTIFICATE-----
`;

export const EMULATOR_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+5X4gU2C5B+sY5PK
OQNrM44uICb2X1V20P45rUHyOHChRANCAAQNyecAXCwqs1T2II0/wfwN9/BVbCIZ
Ab0ZMKIgA/UpVPRoI3dAdHqzc8Fhq56np2Gi0tw+Xnljv/7+oOJY4XlT
-----END PRIVATE KEY-----
`;
