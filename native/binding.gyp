{
  # Beacon's one native helper (plain C over Node-API, so one build serves Node and Electron alike).
  # Built by scripts/postinstall.mjs; Beacon runs without it (with a warning and weaker guarantees).
  'targets': [
    {
      'target_name': 'beacon_native',
      'sources': ['beacon_native.c'],
      'cflags': ['-Wall', '-O2'],
      'defines': ['NAPI_VERSION=8'],
    }
  ]
}
