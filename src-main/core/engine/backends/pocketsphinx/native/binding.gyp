{
  "targets": [
    {
      "target_name": "pocketsphinx",
      "sources": ["addon.c"],
      "cflags": ["<!@(pkg-config --cflags pocketsphinx)", "-std=c99", "-Wall", "-Wno-unused-parameter"],
      "libraries": ["<!@(pkg-config --libs pocketsphinx)"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
