/* An empty translation unit: the real library is the shared system one. */
